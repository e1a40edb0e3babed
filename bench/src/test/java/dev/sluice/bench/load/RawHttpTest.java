package dev.sluice.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The load generator's client reads what a server writes, however the socket splits it. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RawHttpTest {

    @Test
    void readsLengthAndChunkedBodiesWhateverTheSocketDelivers() throws Exception {
        String big = "x".repeat(40_000);   // longer than the client's buffer: read in several fills
        List<String> answers = List.of(
                "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 19\r\n\r\n{\"permitId\":\"p-1\"}\n",
                "HTTP/1.1 204 No Content\r\nDate: now\r\n\r\n",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4;ext=1\r\ndefg\r\n0\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: " + big.length() + "\r\n\r\n" + big);
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> server = CompletableFuture.runAsync(() -> serve(listener, answers));
            try (RawHttp http = new RawHttp(listener.getLocalPort())) {
                RawHttp.Response first = http.send("POST", "/v1/semaphores/a/permits", "{}");
                assertThat(first.status()).isEqualTo(201);
                assertThat(RawHttp.field(first.body(), "permitId")).isEqualTo("p-1");
                assertThat(http.send("DELETE", "/v1/semaphores/a/permits/p-1", null)).isEqualTo(new RawHttp.Response(204, ""));
                assertThat(http.send("GET", "/chunked", null)).isEqualTo(new RawHttp.Response(200, "abcdefg"));
                assertThat(http.send("GET", "/big", null)).isEqualTo(new RawHttp.Response(200, big));
                // the server has closed the connection (a reset, or the end of the stream)
                assertThatThrownBy(() -> http.send("GET", "/gone", null)).isInstanceOf(IOException.class);
            }
            server.get(10, TimeUnit.SECONDS);
        }
    }

    /**
     * Answers each request (read up to its blank line, and its declared body) with the next
     * answer, written a few bytes at a time so that the client's reads see it in pieces, then
     * closes the connection.
     */
    private static void serve(ServerSocket listener, List<String> answers) {
        try (Socket s = listener.accept()) {
            s.setTcpNoDelay(true);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            for (String answer : answers) {
                int length = 0;
                for (String line = line(in); !line.isEmpty(); line = line(in)) {
                    if (line.startsWith("Content-Length: ")) {
                        length = Integer.parseInt(line.substring(16));
                    }
                }
                in.readNBytes(length);
                byte[] bytes = answer.getBytes(StandardCharsets.US_ASCII);
                for (int i = 0; i < bytes.length; i += 7) {
                    out.write(bytes, i, Math.min(7, bytes.length - i));
                    out.flush();
                }
            }
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("client closed");
            }
            if (b != '\r') {
                sb.append((char) b);
            }
        }
        return sb.toString();
    }
}
