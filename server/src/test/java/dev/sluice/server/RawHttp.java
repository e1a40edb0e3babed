package dev.sluice.server;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Requests written byte by byte on a socket: what an HTTP client library would not send, or not that way. */
public final class RawHttp {
    private RawHttp() {}

    /**
     * Sends a request's head and then its body in two parts 300 ms apart, by when a server that
     * answers before reading the whole body has answered; then {@code next} (more requests on the
     * same connection, or ""). Answers all the connection received until the server closed it.
     */
    public static String sendInTwoParts(int port, String head, byte[] first, byte[] second, String next) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(first);
            out.flush();
            Thread.sleep(300);
            out.write(second);
            out.write(next.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
