package dev.sluice.bench.load;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal blocking HTTP/1.1 client over one keep-alive connection, as a load generator uses
 * (wrk, h2load): it costs the shared CPU little, so the figures are the server's, not the client's.
 * It understands exactly what the servers measured here send: Content-Length or chunked bodies.
 * Not thread-safe: one per client.
 */
public final class RawHttp implements AutoCloseable {
    /** A response: status and body. */
    public record Response(int status, String body) {}

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] hostHeader;
    /**
     * What has been read from the socket and not yet parsed. Read through a buffer of its own, not
     * a {@code BufferedInputStream}, whose {@code read()} takes a lock for every byte of the headers.
     */
    private final byte[] buffer = new byte[16 * 1024];
    private int position;
    private int limit;

    public RawHttp(int port) throws IOException {
        socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
        out = socket.getOutputStream();
        hostHeader = ("Host: 127.0.0.1:" + port + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    public Response send(String method, String path, String body) throws IOException {
        byte[] payload = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder(128).append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
        byte[] start = head.toString().getBytes(StandardCharsets.US_ASCII);
        String rest = (body == null ? "" : "Content-Type: application/json\r\n") + "Content-Length: " + payload.length + "\r\n\r\n";
        byte[] request = new byte[start.length + hostHeader.length + rest.length() + payload.length];
        System.arraycopy(start, 0, request, 0, start.length);
        System.arraycopy(hostHeader, 0, request, start.length, hostHeader.length);
        byte[] restBytes = rest.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(restBytes, 0, request, start.length + hostHeader.length, restBytes.length);
        System.arraycopy(payload, 0, request, start.length + hostHeader.length + restBytes.length, payload.length);
        out.write(request);
        out.flush();
        return read();
    }

    private Response read() throws IOException {
        String status = line();
        if (!status.startsWith("HTTP/1.1 ") || status.length() < 12) {
            throw new IOException("not an HTTP/1.1 response: " + status);
        }
        int code = Integer.parseInt(status.substring(9, 12));
        int length = -1;
        boolean chunked = false;
        String header;
        while (!(header = line()).isEmpty()) {
            int colon = header.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = header.substring(0, colon).trim();
            String value = header.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("Content-Length")) {
                length = Integer.parseInt(value);
            } else if (name.equalsIgnoreCase("Transfer-Encoding") && value.equalsIgnoreCase("chunked")) {
                chunked = true;
            }
        }
        byte[] body;
        if (chunked) {
            var all = new java.io.ByteArrayOutputStream();
            int size;
            while ((size = Integer.parseInt(line().split(";")[0].trim(), 16)) > 0) {
                all.write(bytes(size));
                line();
            }
            while (!line().isEmpty()) {
                // trailers
            }
            body = all.toByteArray();
        } else {
            body = length <= 0 ? new byte[0] : bytes(length);
        }
        return new Response(code, new String(body, StandardCharsets.UTF_8));
    }

    private String line() throws IOException {
        StringBuilder sb = new StringBuilder(64);
        while (true) {
            if (position == limit) {
                fill();
            }
            int b = buffer[position++];
            if (b == '\n') {
                int n = sb.length();
                return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
            }
            sb.append((char) (b & 0xff));
        }
    }

    /** The next {@code n} bytes of the response. */
    private byte[] bytes(int n) throws IOException {
        byte[] out = new byte[n];
        int copied = 0;
        while (copied < n) {
            if (position == limit) {
                fill();
            }
            int chunk = Math.min(n - copied, limit - position);
            System.arraycopy(buffer, position, out, copied, chunk);
            position += chunk;
            copied += chunk;
        }
        return out;
    }

    /** Reads what the socket has (at least one byte) into the empty buffer. */
    private void fill() throws IOException {
        int n = in.read(buffer, 0, buffer.length);
        if (n < 0) {
            throw new IOException("connection closed by the server");
        }
        position = 0;
        limit = n;
    }

    /** The string value of a top-level-looking {@code "field":"value"} in a JSON body, or null. */
    public static String field(String json, String field) {
        String key = "\"" + field + "\":\"";
        int i = json.indexOf(key);
        return i < 0 ? null : valueAfter(json, i + key.length());
    }

    /** The string values of every {@code "field":"value"} in a JSON body, in order. */
    public static List<String> fields(String json, String field) {
        String key = "\"" + field + "\":\"";
        List<String> values = new ArrayList<>();
        for (int i = json.indexOf(key); i >= 0; i = json.indexOf(key, i + 1)) {
            String value = valueAfter(json, i + key.length());
            if (value == null) {
                break;
            }
            values.add(value);
        }
        return values;
    }

    /** The string that starts at {@code from} and ends at the next quote, or null when none ends it. */
    private static String valueAfter(String json, int from) {
        int to = json.indexOf('"', from);
        return to < 0 ? null : json.substring(from, to);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
