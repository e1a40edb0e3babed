package dev.sluice.server.security;

import static dev.sluice.server.Api.j;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import dev.sluice.server.Api.Res;
import dev.sluice.server.ServerSettings;
import dev.sluice.server.TestServer;
import dev.sluice.server.audit.AuditLog;
import dev.sluice.store.SqliteStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Keys made, listed, used and revoked through the API; and where their secrets never appear. */
class KeyLifecycleTest {
    @TempDir
    Path tmp;

    @Test
    void aKeyIsShownOnceListedWithoutItsSecretAndRevokedAtOnce() {
        try (SecureNode node = SecureNode.start(tmp)) {
            String s = "/v1/semaphores/" + TestServer.name("k");
            assertThat(node.admin("PUT", s, j("{'limit':1000000}")).status()).isEqualTo(201);

            Res created = node.create("billing workers", "use:k-*", "use:k-*", "manage:other");
            String secret = created.str("key");
            String id = created.str("id");
            assertThat(secret).startsWith("sluice_").hasSize("sluice_".length() + 43);
            assertThat(id).matches("key_[0-9a-f]{16}");
            assertThat(created.headers().firstValue("Cache-Control")).hasValue("no-store");
            assertThat(created.json().get("scopes").toString()).as("duplicates dropped").isEqualTo("[\"use:k-*\",\"manage:other\"]");
            assertThat(created.json().get("source").asString()).isEqualTo("store");

            Res list = node.admin("GET", "/v1/keys", null);
            assertThat(list.status()).isEqualTo(200);
            assertThat(list.text()).contains(id, "billing workers").doesNotContain(secret).doesNotContain(Secrets.hash(secret));
            assertThat(list.json().get("items").get(0).get("id").asString()).isEqualTo(KeyRing.CONFIGURED_ID);
            assertThat(list.text()).doesNotContain(SecureNode.ADMIN_KEY).doesNotContain(Secrets.hash(SecureNode.ADMIN_KEY));
            Res one = node.admin("GET", "/v1/keys/" + id, null);
            assertThat(one.text()).contains(id).doesNotContain(secret);

            assertThat(node.call(secret, "POST", s + "/permits", null).status()).isEqualTo(201);

            assertThat(node.admin("DELETE", "/v1/keys/" + id, null).status()).isEqualTo(204);
            Res after = node.call(secret, "POST", s + "/permits", null);
            assertThat(after.status()).as(after.toString()).isEqualTo(401);
            assertThat(node.admin("GET", "/v1/keys", null).text()).doesNotContain(id);
            assertThat(node.admin("DELETE", "/v1/keys/" + id, null).status()).as("already revoked").isEqualTo(404);
            assertThat(node.admin("GET", "/v1/keys/" + id, null).status()).isEqualTo(404);
        }
    }

    /**
     * Revocation under fire: sixteen threads use a key non-stop while it is revoked. Every
     * request sent after the revocation was answered must be refused; every one answered before
     * it was sent must have been served.
     */
    @Test
    void noRequestSentAfterTheRevocationIsAnsweredIsServed() throws Exception {
        try (SecureNode node = SecureNode.start(tmp)) {
            String s = "/v1/semaphores/" + TestServer.name("k");
            node.admin("PUT", s, j("{'limit':5}"));
            Res created = node.create("doomed", "use:*");
            String secret = created.str("key");
            record Call(long sentAt, long answeredAt, int status) {}
            ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
            AtomicBoolean stop = new AtomicBoolean();
            CountDownLatch warm = new CountDownLatch(16 * 5);
            try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
                for (int t = 0; t < 16; t++) {
                    pool.submit(() -> {
                        while (!stop.get()) {
                            long sent = System.nanoTime();
                            int status = node.call(secret, "GET", s, null).status();
                            calls.add(new Call(sent, System.nanoTime(), status));
                            warm.countDown();
                        }
                    });
                }
                warm.await();
                long revokeSent = System.nanoTime();
                assertThat(node.admin("DELETE", "/v1/keys/" + created.str("id"), null).status()).isEqualTo(204);
                long revoked = System.nanoTime();
                Awaitility.await().atMost(Duration.ofSeconds(30))
                        .until(() -> calls.stream().filter(c -> c.sentAt() > revoked).count() >= 50);
                stop.set(true);

                List<Call> servedAfter = calls.stream().filter(c -> c.sentAt() > revoked && c.status() != 401).toList();
                assertThat(servedAfter).as("requests sent after the revocation was answered, yet not refused").isEmpty();
                List<Call> refusedBefore = calls.stream().filter(c -> c.answeredAt() < revokeSent && c.status() != 200).toList();
                assertThat(refusedBefore).as("requests answered before the revocation was sent, yet not served").isEmpty();
            }
        }
    }

    @Test
    void theConfiguredAdminKeyCannotBeRevokedThroughTheApi() {
        try (SecureNode node = SecureNode.start(tmp)) {
            Res r = node.admin("DELETE", "/v1/keys/" + KeyRing.CONFIGURED_ID, null);
            assertThat(r.status()).isEqualTo(409);
            assertThat(r.json().get("detail").asString()).contains("SLUICE_ADMIN_KEY");
            assertThat(node.admin("GET", "/v1/keys", null).status()).isEqualTo(200);
        }
    }

    @Test
    void badKeyRequestsAreRefusedAndCreateNothing() {
        try (SecureNode node = SecureNode.start(tmp)) {
            for (String body : List.of("{}", "{'name':'x'}", "{'scopes':['admin']}", "{'name':'','scopes':['admin']}",
                    "{'name':'x','scopes':[]}", "{'name':'x','scopes':'admin'}", "{'name':'x','scopes':['root']}",
                    "{'name':'x','scopes':['use:Bad']}", "{'name':'x','scopes':[1]}", "{'name':'x','scopes':['admin'],'key':'mine'}",
                    "{'name':'a\\u0000b','scopes':['admin']}", "{'name':5,'scopes':['admin']}", "[]", "{'name':'x','scopes':null}",
                    "{'name':'" + "n".repeat(129) + "','scopes':['admin']}")) {
                Res r = node.admin("POST", "/v1/keys", j(body));
                assertThat(r.status()).as(body + " -> " + r).isEqualTo(400);
                assertThat(r.code()).isEqualTo("invalid_argument");
            }
            String tooMany = String.join(",", java.util.stream.IntStream.range(0, 33).mapToObj(i -> "'use:a" + i + "'").toList());
            assertThat(node.admin("POST", "/v1/keys", j("{'name':'x','scopes':[" + tooMany + "]}")).status()).as("33 scopes").isEqualTo(400);
            assertThat(node.admin("GET", "/v1/keys", null).json().get("items")).as("only the configured key").hasSize(1);
        }
    }

    @Test
    void keysLiveInTheStoreAcrossRestartsAndAnswerForThemselvesWithoutAConfiguredKey() {
        String secret;
        String s = "/v1/semaphores/" + TestServer.name("k");
        try (SecureNode node = SecureNode.start(tmp)) {
            node.admin("PUT", s, j("{'limit':5}"));
            secret = node.key("ops", "admin");
            String gone = node.create("gone", "admin").str("id");
            node.admin("DELETE", "/v1/keys/" + gone, null);
        }
        // restarted without SLUICE_ADMIN_KEY: the stored admin key is enough to start with --auth required
        ServerSettings settings = ServerSettings.defaults().withPort(0).withDataDir(tmp)
                .withSecurity(SecuritySettings.defaults().withAuth(AuthMode.REQUIRED));
        try (TestServer server = TestServer.start(settings)) {
            assertThat(server.api().send("GET", s, null, "Authorization", "Bearer " + secret).status()).isEqualTo(200);
            assertThat(server.api().send("GET", s, null, "Authorization", "Bearer " + SecureNode.ADMIN_KEY).status())
                    .as("the configured key of the last run is not remembered").isEqualTo(401);
            Res keys = server.api().send("GET", "/v1/keys", null, "Authorization", "Bearer " + secret);
            assertThat(keys.json().get("items")).hasSize(1);
        }
    }

    /**
     * What another node sharing the store does: keys written to the store behind this node's
     * back. A key added there is accepted, and a key deleted there refused, each within the key
     * ring's reload age ({@link KeyRing#MAX_AGE}), without any signal to this node.
     */
    @Test
    void keysChangedInTheStoreByAnotherNodeAreSeenWithinTheReloadAge() {
        try (SqliteStore store = SqliteStore.open(tmp);
             dev.sluice.server.SluiceServer server = dev.sluice.server.SluiceServer.start(ServerSettings.defaults().withPort(0)
                     .withSecurity(SecuritySettings.defaults().withAuth(AuthMode.REQUIRED).withAdminKey(SecureNode.ADMIN_KEY)), store)) {
            dev.sluice.server.Api api = new dev.sluice.server.Api(server.port());
            String s = "/v1/semaphores/" + TestServer.name("k");
            api.send("PUT", s, j("{'limit':5}"), "Authorization", "Bearer " + SecureNode.ADMIN_KEY);
            String secret = Secrets.newSecret(new java.security.SecureRandom());
            dev.sluice.core.access.ApiKey elsewhere = new dev.sluice.core.access.ApiKey("key_00000000000000ff", "made elsewhere",
                    Secrets.hash(secret), List.of(dev.sluice.core.access.Scope.use("*")), java.time.Instant.now());
            assertThat(api.send("GET", s, null, "Authorization", "Bearer " + secret).status()).isEqualTo(401);

            store.query(q -> {
                q.keys().insert(elsewhere);
                return null;
            }).join();
            Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                    .until(() -> api.send("GET", s, null, "Authorization", "Bearer " + secret).status() == 200);

            store.query(q -> q.keys().delete(elsewhere.id())).join();
            Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                    .until(() -> api.send("GET", s, null, "Authorization", "Bearer " + secret).status() == 401);
        }
    }

    @Test
    void keysMadeAndRevokedAreAuditedAndChangesMadeWithAKeyNameIt() {
        Logger audit = (Logger) LoggerFactory.getLogger(AuditLog.LOGGER);
        Level level = audit.getLevel();
        audit.setLevel(Level.INFO);
        ListAppender<ILoggingEvent> entries = new ListAppender<>();
        entries.start();
        audit.addAppender(entries);
        try (SecureNode node = SecureNode.start(tmp)) {
            Res created = node.create("ops", "manage:a-*");
            String id = created.str("id");
            String secret = created.str("key");
            String s = "/v1/semaphores/" + TestServer.name("a");
            assertThat(node.call(secret, "PUT", s, j("{'limit':3}")).status()).isEqualTo(201);
            assertThat(node.admin("DELETE", "/v1/keys/" + id, null).status()).isEqualTo(204);

            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> entries.list.size() >= 3);
            List<String> lines = entries.list.stream().map(e -> {
                var kv = e.getKeyValuePairs().stream().collect(java.util.stream.Collectors.toMap(p -> p.key, p -> String.valueOf(p.value)));
                return kv.get("action") + " " + kv.get("actor") + " " + kv.getOrDefault("keyId", kv.get("semaphore"));
            }).toList();
            String name = s.substring(s.lastIndexOf('/') + 1);
            assertThat(lines).containsExactly(
                    "create-key key:" + KeyRing.CONFIGURED_ID + "@127.0.0.1 " + id,
                    "create key:" + id + "@127.0.0.1 " + name,
                    "revoke-key key:" + KeyRing.CONFIGURED_ID + "@127.0.0.1 " + id);
            assertThat(entries.list).allSatisfy(e -> assertThat(e.getFormattedMessage() + e.getKeyValuePairs()).doesNotContain(secret));
        } finally {
            audit.detachAppender(entries);
            audit.setLevel(level);
        }
    }

    @Test
    void secretsAppearNeitherInTheLogsNorInClearInTheDataDirectory() throws IOException {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Level level = root.getLevel();
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        root.addAppender(logs);
        root.setLevel(Level.INFO);
        List<String> secrets = new ArrayList<>(List.of(SecureNode.ADMIN_KEY));
        try (SecureNode node = SecureNode.start(tmp)) {
            String s = "/v1/semaphores/" + TestServer.name("k");
            node.admin("PUT", s, j("{'limit':1}"));
            String user = node.key("user", "use:*");
            String manager = node.key("manager", "manage:*");
            secrets.add(user);
            secrets.add(manager);
            // used, refused, malformed, and on failing requests
            node.call(user, "POST", s + "/permits", null);
            node.call(user, "POST", s + "/permits", null);
            node.call(manager, "POST", s + "/permits", null);
            node.call(user, "PUT", s, j("{'limit':'x'}"));
            node.call(user + "x", "GET", s, null);
            node.call(user, "POST", s + "/jobs", "{not json");
            node.api.send("GET", s, null, "Authorization", user);
            node.api.send("GET", s, null, "Authorization", "Basic " + manager);
        } finally {
            root.detachAppender(logs);
            root.setLevel(level);
        }
        assertThat(logs.list).as("the run logged something at INFO, so the check below sees logs").isNotEmpty();
        for (ILoggingEvent e : logs.list) {
            String line = e.getFormattedMessage() + (e.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(e.getThrowableProxy()));
            for (String secret : secrets) {
                assertThat(line).as("a log line").doesNotContain(secret);
            }
        }
        byte[] all = dataDirectoryBytes(tmp);
        String text = new String(all, StandardCharsets.ISO_8859_1);
        for (String secret : secrets) {
            assertThat(text).as("the data directory holds a secret in clear").doesNotContain(secret);
        }
        for (String secret : secrets.subList(1, secrets.size())) {
            assertThat(text).as("the stored keys' hashes are there: the scan reads what the store wrote").contains(Secrets.hash(secret));
        }
    }

    private static byte[] dataDirectoryBytes(Path dir) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                out.writeBytes(Files.readAllBytes(f));
            }
        }
        return out.toByteArray();
    }
}
