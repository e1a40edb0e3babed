package dev.sluice.server.webhooks;

import static dev.sluice.server.Api.j;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.Api;
import dev.sluice.server.Api.Res;
import dev.sluice.server.TestServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.awaitility.Awaitility;
import tools.jackson.databind.JsonNode;

/** What the webhook tests do through the API, and the signature check a processor makes. */
final class Hooks {
    private final TestServer server;
    private final Api api;

    Hooks(TestServer server) {
        this.server = server;
        this.api = server.api();
    }

    /** A created semaphore and the secret its create answer showed (null if the config named one). */
    record Created(String name, String secret) {}

    /**
     * Creates a webhook semaphore delivering to {@code url}; {@code more} adds fields to the config
     * (single quotes allowed), {@code deliveryMore} to its delivery object.
     */
    Created webhook(String prefix, String url, String more, String deliveryMore) {
        String name = TestServer.name(prefix);
        String body = "{'delivery':{'mode':'webhook','url':'" + url + "'" + (deliveryMore.isEmpty() ? "" : "," + deliveryMore)
                + "}" + (more.isEmpty() ? "" : "," + more) + "}";
        Res r = api.put("/v1/semaphores/" + name, j(body));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return new Created(name, r.json().get("delivery").path("secret").asString(null));
    }

    static String jobs(String name) {
        return "/v1/semaphores/" + name + "/jobs";
    }

    String enqueue(String name, String payload) {
        return enqueue(name, payload, "default");
    }

    String enqueue(String name, String payload, String channel) {
        Res r = api.post(jobs(name), j("{'payload':" + payload + ",'channel':'" + channel + "'}"));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        return r.str("jobId");
    }

    JsonNode job(String name, String id) {
        Res r = api.get(jobs(name) + "/" + id);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    String state(String name, String id) {
        return job(name, id).get("state").asString();
    }

    List<String> ids(String name, String state) {
        Res r = api.get(jobs(name) + "?state=" + state + "&limit=1000");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        List<String> out = new ArrayList<>();
        r.json().get("items").forEach(n -> out.add(n.get("jobId").asString()));
        return out;
    }

    /** Completes a job's attempt under its permit, as a processor does once it is done. */
    Res complete(String name, String jobId, String permitId) {
        return api.post(jobs(name) + "/" + jobId + "/complete", j("{'permitId':'" + permitId + "'}"));
    }

    /** Waits (up to {@code seconds}) until every one of {@code ids} is in {@code state}. */
    void awaitAll(String name, List<String> ids, String state, int seconds) {
        await(seconds, () -> ids.stream().allMatch(id -> state.equals(stateIfThere(name, id))));
    }

    /** The job's state, or null while the semaphore does not have it (yet: a forward on its way). */
    private String stateIfThere(String name, String id) {
        Res r = api.get(jobs(name) + "/" + id);
        if (r.status() == 404) {
            return null;
        }
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get("state").asString();
    }

    static void await(int seconds, Callable<Boolean> condition) {
        Awaitility.await().atMost(Duration.ofSeconds(seconds)).pollInterval(Duration.ofMillis(25)).until(condition);
    }

    /**
     * The check a processor makes: the header is {@code t=<seconds>,v1=<hex>[,v1=<hex>]}, and one
     * {@code v1} is the HMAC-SHA256 under {@code secret} of {@code t + "." + body}. Written here
     * independently of the server's code.
     */
    static boolean verifies(String header, byte[] body, String secret) {
        return signatures(header, body, secret).contains(true);
    }

    /** For each {@code v1} of the header in order, whether it is the signature by {@code secret}. */
    static List<Boolean> signatures(String header, byte[] body, String secret) {
        String t = null;
        List<String> v1 = new ArrayList<>();
        for (String part : header.split(",")) {
            String[] kv = part.split("=", 2);
            if (kv[0].equals("t")) {
                t = kv[1];
            } else if (kv[0].equals("v1")) {
                v1.add(kv[1]);
            }
        }
        assertThat(t).as("t= in " + header).isNotNull().matches("[0-9]+");
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((t + ".").getBytes(StandardCharsets.UTF_8));
            String expected = HexFormat.of().formatHex(mac.doFinal(body));
            return v1.stream().map(expected::equals).toList();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
