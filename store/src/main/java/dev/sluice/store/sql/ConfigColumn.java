package dev.sluice.store.sql;

import dev.sluice.core.semaphore.SemaphoreConfig;
import dev.sluice.store.json.ConfigCodec;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code semaphores.config} column, read and written by every operation: parsing and writing
 * its JSON each time cost about 6 % of the store writer's CPU per operation (docs/benchmarks.md).
 * Both directions are pure functions, and a store holds few distinct configs, so each is computed
 * once per distinct value and kept. Thread-safe; bounded.
 */
final class ConfigColumn {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** More distinct configs than this and the caches start over: memory stays bounded, correctness is unaffected. */
    private static final int MAX_ENTRIES = 4096;

    private static final Map<String, SemaphoreConfig> parsed = new ConcurrentHashMap<>();
    private static final Map<SemaphoreConfig, String> written = new ConcurrentHashMap<>();

    private ConfigColumn() {}

    static SemaphoreConfig read(String json) {
        SemaphoreConfig config = parsed.get(json);
        if (config == null) {
            config = ConfigCodec.fromJson(JSON.readTree(json));
            remember(parsed, json, config);
        }
        return config;
    }

    static String write(SemaphoreConfig config) {
        String json = written.get(config);
        if (json == null) {
            json = ConfigCodec.toJson(config).toString();
            remember(written, config, json);
        }
        return json;
    }

    private static <K, V> void remember(Map<K, V> cache, K key, V value) {
        if (cache.size() >= MAX_ENTRIES) {
            cache.clear();
        }
        cache.put(key, value);
    }
}
