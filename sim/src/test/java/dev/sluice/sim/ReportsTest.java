package dev.sluice.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ReportsTest {

    private static final List<String> KEYS = List.of("offered", "completed", "rejectedPct", "utilizationPct", "waitMean",
            "waitP50", "waitP95", "waitP99", "maxWaiting", "drainTime");

    private final Scenario scenario = Scenario.spikes();
    private final SimulationResult sync = Simulator.run(scenario, Mode.SYNC);
    private final SimulationResult async = Simulator.run(scenario, Mode.ASYNC);

    @Test
    void jsonHasTheAgreedShape() {
        String json = JsonReport.render(sync, async);
        assertThat(json).startsWith("{\n  \"sync\": {").contains("\n  \"async\": {").endsWith("}");
        assertThat(topLevelKeys(json)).containsExactly("sync", "async");
        assertThat(keysAt(json, 4)).containsExactlyElementsOf(concat(KEYS, KEYS));
        Figures f = sync.figures();
        assertThat(json).contains("\"offered\": " + f.offered(), "\"rejectedPct\": " + Fmt.json(f.rejectedPct()));
        assertThat(json).doesNotContain("NaN", "Infinity", "E-", "E+");
    }

    @Test
    void jsonLeavesOutAModeThatWasNotRun() {
        assertThat(topLevelKeys(JsonReport.render(null, async))).containsExactly("async");
        assertThat(topLevelKeys(JsonReport.render(sync, null))).containsExactly("sync");
        assertThat(JsonReport.render(null, null)).isEqualTo("{}");
    }

    @Test
    void jsonCanCarryTheSeries() {
        String json = JsonReport.render(sync, async, true);
        assertThat(topLevelKeys(json)).containsExactly("sync", "async");
        assertThat(json).contains("\"series\": {", "\"inUse\": [", "\"limit\": [", "\"waiting\": [", "\"arrivals\": [",
                "\"rejections\": [");
        assertThat(JsonReport.string("a\"b\\c\n\u0001")).isEqualTo("\"a\\\"b\\\\c\\n\\u0001\"");
    }

    @Test
    void htmlIsSelfContained() {
        String html = HtmlReport.render(scenario, sync, async);
        assertThat(html).startsWith("<!DOCTYPE html>").endsWith("</html>\n");
        assertThat(html.toLowerCase()).doesNotContain("<script", "http://", "https://", "@import", "url(", "<link", "<img");
        assertThat(count(html, "<svg ")).isEqualTo(6);
        assertThat(html).contains(">sync <span>", ">async <span>", "Figures", "Parameters",
                "Permits in use against the limit", "Waiting in the queue", "Arrivals and rejections per second",
                Fmt.pct(sync.figures().rejectedPct()), scenario.arrival().describe());
        assertThat(count(html, "<svg ")).isEqualTo(count(html, "</svg>"));
        assertThat(count(html, "<figure")).isEqualTo(count(html, "</figure>"));
    }

    @Test
    void htmlForOneModeAndForScheduledLimits() {
        Scenario s = Scenario.builder().name("a <b> & c").limitSchedule("0s:5,1m:10").duration(120).retries(2).build();
        String html = HtmlReport.render(s, Simulator.run(s, Mode.SYNC), null);
        assertThat(count(html, "<svg ")).isEqualTo(3);
        assertThat(html).contains("a &lt;b&gt; &amp; c", "5, then 10 from 1m", "retried tries/s").doesNotContain(">async <span>");
        assertThatThrownBy(() -> HtmlReport.render(s, null, null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void textTableIsAligned() {
        String text = TextReport.render(scenario, sync, async);
        List<String> table = text.lines().dropWhile(l -> !l.matches("\\s+sync\\s+async")).toList();
        assertThat(table).hasSize(13);
        assertThat(table.getFirst()).endsWith("async");
        int width = table.getFirst().length();
        for (String line : table) {
            assertThat(line).hasSize(width);
        }
        assertThat(text).contains("rejected", "wait p99", "drain time", "spikes");
    }

    private static List<String> topLevelKeys(String json) {
        return keysAt(json, 2);
    }

    private static List<String> keysAt(String json, int indent) {
        Matcher m = Pattern.compile("(?m)^ {" + indent + "}\"([A-Za-z0-9]+)\":").matcher(json);
        List<String> keys = new ArrayList<>();
        while (m.find()) {
            keys.add(m.group(1));
        }
        return keys;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> r = new ArrayList<>(a);
        r.addAll(b);
        return r;
    }

    private static int count(String s, String needle) {
        int n = 0;
        for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}
