package dev.sluice.server;

import static dev.sluice.server.Api.j;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With an OTLP endpoint configured, the node sends spans of acquires, of a job's wait in the queue
 * and of its delivery, in the enqueuer's trace. The collector here is a plain HTTP server that
 * keeps what it is sent (OTLP/HTTP protobuf); span names and trace ids are found in its bytes.
 */
class TracingSpansTest {
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String PARENT_ID = "00f067aa0ba902b7";
    private static final String TRACEPARENT = "00-" + TRACE_ID + "-" + PARENT_ID + "-01";

    @TempDir
    Path dataDir;

    @Test
    void acquireWaitAndDeliverySpansJoinTheEnqueuersTrace() throws Exception {
        List<byte[]> received = new CopyOnWriteArrayList<>();
        HttpServer collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        collector.createContext("/v1/traces", exchange -> {
            received.add(exchange.getRequestBody().readAllBytes());
            exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        collector.start();
        try {
            String endpoint = "http://127.0.0.1:" + collector.getAddress().getPort();
            try (TestServer server = TestServer.start(dataDir, s -> s.withObservability(s.observability().withOtlpEndpoint(endpoint)))) {
                Api api = server.api();
                String name = server.semaphore("traced", "{'limit':2}");
                String jobs = "/v1/semaphores/" + name + "/jobs";
                assertThat(api.send("POST", jobs, j("{'payload':1}"), "traceparent", TRACEPARENT).status()).isEqualTo(202);
                String jobId = api.post(jobs + "/claim").json().get("jobs").get(0).get("jobId").asString();
                assertThat(api.post(jobs + "/" + jobId + "/complete").status()).isEqualTo(204);
                assertThat(api.send("POST", "/v1/semaphores/" + name + "/permits", null, "traceparent", TRACEPARENT).status())
                        .isEqualTo(201);
            }   // closing the node sends the spans it still holds
        } finally {
            collector.stop(0);
        }
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        received.forEach(all::writeBytes);
        byte[] bytes = all.toByteArray();
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        assertThat(text).contains("sluice.acquire", "sluice.enqueue", "sluice.wait", "sluice.deliver", "sluice", "completed");
        String traceId = new String(HexFormat.of().parseHex(TRACE_ID), StandardCharsets.ISO_8859_1);
        String parentId = new String(HexFormat.of().parseHex(PARENT_ID), StandardCharsets.ISO_8859_1);
        // four spans in the enqueuer's trace, each a child of its span
        assertThat(count(text, traceId)).isGreaterThanOrEqualTo(4);
        assertThat(count(text, parentId)).isGreaterThanOrEqualTo(4);
    }

    private static int count(String haystack, String needle) {
        int n = 0;
        for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}
