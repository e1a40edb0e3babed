package dev.sluice.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Migrations that have shipped are never renamed, renumbered or edited: a database migrated by an
 * earlier release records each by version and checksum, and Flyway refuses to open it when the
 * files no longer match. Add new migrations after the last one; add each here once it is released.
 */
class ReleasedMigrationsTest {
    private static final Map<String, String> RELEASED = new LinkedHashMap<>();

    static {
        RELEASED.put("V1__schema.sql", "4de49bc481431d5fe5c6dc85f877b8cb21534ebe09942241540bcd0fdd9fd480");
        RELEASED.put("V2__nodes_and_timers.sql", "7aed93bb9b0c6987046df0d3f7b06c527de4ae12aaa4c6afb1d41c6924089c49");
        RELEASED.put("V3__webhooks.sql", "8adc9aa035ab29dfb4173e4cf7a48f02f0e2c2e1486b1e5f9c2f2b99a0d4962a");
        RELEASED.put("V4__job_traceparent.sql", "24aaff7d0bb85f17ef4485552ffe4d33d69e9fd7201788c7656a75a14c635e06");
        RELEASED.put("V5__api_keys.sql", "29873dc1a3fc3f72695873e5fb81b383ad7cf23641b111d193310e109e3e5601");
        RELEASED.put("V9__waiting_kinds.sql", "9ccecebfa8e96b75d5051b6097776dcfc3f8966e8f06e2a630a3c343123535e9");
        RELEASED.put("V10__waiters_out_of_job_indexes.sql", "d8a3a97ec302814e56590efa5f3520c2aeae22e15e49942888c2106532ab2ebc");
        RELEASED.put("V11__one_permits_holder_index.sql", "94c04798ee3069d96530ae2676c46706aa60a5f8fbb5567ac2899fe3026980dd");
    }

    @Test
    void everyReleasedMigrationIsStillThereUnchanged() throws Exception {
        for (var released : RELEASED.entrySet()) {
            try (InputStream in = getClass().getResourceAsStream("/db/migration/" + released.getKey())) {
                assertNotNull(in, released.getKey() + " was released: it must keep its name and version");
                String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(in.readAllBytes()));
                assertEquals(released.getValue(), sha, released.getKey() + " was released: its content must not change");
            }
        }
    }
}
