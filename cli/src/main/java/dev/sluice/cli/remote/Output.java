package dev.sluice.cli.remote;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a command prints on standard output, in the chosen {@link OutputFormat}. In JSON a command
 * prints exactly one document, so that {@code sluice … -o json | jq} always parses.
 */
public final class Output {
    public static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private final OutputFormat format;
    private final PrintWriter out;

    Output(OutputFormat format, PrintWriter out) {
        this.format = format;
        this.out = out;
    }

    public boolean json() {
        return format == OutputFormat.JSON;
    }

    public ObjectNode object() {
        return JSON.createObjectNode();
    }

    public ArrayNode array() {
        return JSON.createArrayNode();
    }

    /** Prints a JSON document. */
    public void print(JsonNode document) {
        out.println(JSON.writeValueAsString(document));
        out.flush();
    }

    /** Prints a line of text. */
    public void line(String text) {
        out.println(text);
        out.flush();
    }

    /** Prints rows under a header, each column as wide as its widest cell. */
    public void table(List<String> header, List<List<String>> rows) {
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        int[] width = new int[header.size()];
        for (List<String> row : all) {
            for (int i = 0; i < row.size(); i++) {
                width[i] = Math.max(width[i], row.get(i).length());
            }
        }
        for (List<String> row : all) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                b.append(row.get(i));
                if (i < row.size() - 1) {
                    b.append(" ".repeat(width[i] - row.get(i).length() + 2));
                }
            }
            out.println(b.toString().stripTrailing());
        }
        out.flush();
    }

    /** Prints "key: value" lines, values aligned. */
    public void fields(List<String[]> pairs) {
        int width = pairs.stream().mapToInt(p -> p[0].length()).max().orElse(0) + 1;
        for (String[] p : pairs) {
            out.println(p[0] + ":" + " ".repeat(width - p[0].length() + 1) + p[1]);
        }
        out.flush();
    }

    /** A JSON value as a table cell: text as is, null as "-", anything else compact JSON. */
    public static String cell(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return "-";
        }
        return v.isValueNode() ? v.asString() : v.toString();
    }
}
