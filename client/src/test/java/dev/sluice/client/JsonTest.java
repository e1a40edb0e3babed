package dev.sluice.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class JsonTest {
    private static JsonNode json(String s) {
        return FakeServer.MAPPER.readTree(s);
    }

    @Test
    void durationsInEveryFormTheServerMaySend() {
        JsonNode n = json("{\"a\":\"PT30S\",\"b\":\"30s\",\"c\":\"5m\",\"d\":\"2h\",\"e\":\"250ms\",\"f\":1.5,"
                + "\"g\":null,\"h\":\"soon\",\"i\":{}}");
        assertThat(Json.duration(n, "a")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Json.duration(n, "b")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Json.duration(n, "c")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Json.duration(n, "d")).isEqualTo(Duration.ofHours(2));
        assertThat(Json.duration(n, "e")).isEqualTo(Duration.ofMillis(250));
        assertThat(Json.duration(n, "f")).isEqualTo(Duration.ofMillis(1500));
        assertThat(Json.duration(n, "g")).isNull();
        assertThat(Json.duration(n, "h")).isNull();
        assertThat(Json.duration(n, "i")).isNull();
        assertThat(Json.duration(n, "missing")).isNull();
    }

    @Test
    void instantsAndNumbersAreReadLeniently() {
        JsonNode n = json("{\"a\":\"2025-03-01T10:00:00Z\",\"b\":\"2025-03-01T11:00:00+01:00\",\"c\":\"later\","
                + "\"t\":\"12\",\"u\":12,\"v\":true,\"w\":[1]}");
        assertThat(Json.instant(n, "a")).isEqualTo(Instant.parse("2025-03-01T10:00:00Z"));
        assertThat(Json.instant(n, "b")).isEqualTo(Instant.parse("2025-03-01T10:00:00Z"));
        assertThat(Json.instant(n, "c")).isNull();
        assertThat(Json.longInteger(n, "t")).isEqualTo(12L);
        assertThat(Json.integer(n, "u")).isEqualTo(12);
        assertThat(Json.integer(n, "v")).isNull();
        assertThat(Json.string(n, "w")).isNull();
        assertThat(Json.string(n, "u")).isEqualTo("12");
    }

    @Test
    void enumWireNames() {
        assertThat(JobState.fromWire("inflight")).isEqualTo(JobState.INFLIGHT);
        assertThat(JobState.fromWire("DEAD")).isEqualTo(JobState.DEAD);
        assertThat(JobState.fromWire("teleported")).isNull();
        assertThat(JobState.CANCELLED.wireName()).isEqualTo("cancelled");
        assertThat(Json.enumValue(LeaseExpiryAction.class, "dead-letter")).isEqualTo(LeaseExpiryAction.DEADLETTER);
    }

    @Test
    void retryPolicyReadsEveryOnExhaustedForm() {
        assertThat(RetryPolicy.from(json("{\"maxAttempts\":3,\"initialBackoff\":\"PT1S\",\"maxBackoff\":\"PT1M\",\"onExhausted\":\"suspend\"}")))
                .isEqualTo(new RetryPolicy(3, Duration.ofSeconds(1), Duration.ofMinutes(1), RetryPolicy.OnExhausted.SUSPEND, null));
        assertThat(RetryPolicy.from(json("{\"maxAttempts\":3,\"initialBackoff\":\"PT1S\",\"maxBackoff\":\"PT1M\",\"onExhausted\":\"forward\",\"forwardTo\":\"x\"}")))
                .isEqualTo(RetryPolicy.forwardAfter(3, Duration.ofSeconds(1), Duration.ofMinutes(1), "x"));
        assertThat(RetryPolicy.from(json("{\"maxAttempts\":3}"))).isNull();
    }

    @Test
    void configExtrasMayBeNull() {
        var body = SemaphoreConfig.builder(1).extra("channelLimit", null).build().toJson(FakeServer.MAPPER);
        assertThat(body.toString()).isEqualTo("{\"limit\":1,\"channelLimit\":null}");
    }
}
