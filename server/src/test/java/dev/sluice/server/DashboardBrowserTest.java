package dev.sluice.server;

import static dev.sluice.server.Api.j;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.server.Api.Res;
import dev.sluice.server.security.AuthMode;
import dev.sluice.server.security.SecuritySettings;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * The dashboard in a real headless Chromium, driven through the system's chromedriver: it loads
 * without console errors, follows the API live, and its controls act through the API. Writes a
 * screenshot of a busy semaphore page to {@code target/dashboard.png}.
 *
 * <p>Chromium and chromedriver come from the system ({@code .ci/run} installs Debian's
 * {@code chromium} and {@code chromium-driver}); without them this test fails under
 * {@code CI=true} and is skipped otherwise.
 */
class DashboardBrowserTest {
    @TempDir
    static Path dataDir;
    @TempDir
    static Path profile;
    @TempDir
    static Path secureDataDir;
    static TestServer server;
    static Api api;
    /** A node that asks for API keys (as --auth required does), with a configured admin key. */
    static TestServer secure;
    static final String ADMIN_KEY = "dashboard-test-admin-key-0123456789abcdef0123";
    static ChromeDriver driver;

    @BeforeAll
    static void start() {
        Optional<Path> chromium = onPath(System.getenv("CHROME_BIN"), "chromium", "chromium-browser", "google-chrome");
        Optional<Path> chromedriver = onPath(System.getenv("CHROMEDRIVER"), "chromedriver");
        if (chromium.isEmpty() || chromedriver.isEmpty()) {
            String missing = "the dashboard browser test needs chromium and chromedriver on the PATH "
                    + "(Debian: apt-get install chromium chromium-driver; .ci/run installs them)";
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError(missing);
            }
            Assumptions.abort(missing);
        }
        server = TestServer.start(dataDir);
        api = server.api();
        secure = TestServer.start(secureDataDir, settings -> settings.withSecurity(
                SecuritySettings.defaults().withAuth(AuthMode.REQUIRED).withAdminKey(ADMIN_KEY)));
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.get().toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile.toAbsolutePath(), "--window-size=1440,1700");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(chromedriver.get().toFile()).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
    }

    @AfterAll
    static void stop() {
        if (driver != null) {
            driver.quit();
        }
        if (server != null) {
            server.close();
        }
        if (secure != null) {
            secure.close();
        }
    }

    @BeforeEach
    void clearConsole() {
        driver.manage().logs().get(LogType.BROWSER);   // reading empties it
    }

    private static Optional<Path> onPath(String explicit, String... names) {
        if (explicit != null && !explicit.isBlank() && Files.isExecutable(Path.of(explicit))) {
            return Optional.of(Path.of(explicit));
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String name : names) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    private static String url(String hash) {
        return "http://127.0.0.1:" + server.port() + "/" + hash;
    }

    private static WebElement byTestId(String id) {
        return driver.findElement(By.cssSelector("[data-testid='" + id + "']"));
    }

    private static void awaitText(String testId, String text) {
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> assertThat(byTestId(testId).getText()).as(testId).isEqualTo(text));
    }

    private static void assertNoConsoleErrors() {
        assertNoConsoleErrorsBut();
    }

    /**
     * No console errors, except Chromium's network lines for refused requests the test provokes
     * (Chromium logs "Failed to load resource: … status of 401" for any failed fetch, handled or not).
     */
    private static void assertNoConsoleErrorsBut(int... statuses) {
        List<LogEntry> errors = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .filter(e -> java.util.Arrays.stream(statuses).noneMatch(st ->
                        e.getMessage().contains("Failed to load resource: the server responded with a status of " + st + " ")))
                .toList();
        assertThat(errors).as("console errors").isEmpty();
    }

    private static String secureUrl(String hash) {
        return "http://127.0.0.1:" + secure.port() + "/" + hash;
    }

    private static Res asAdmin(String method, String path, Object body) {
        return secure.api().send(method, path, body, "Authorization", "Bearer " + ADMIN_KEY);
    }

    private static String key(String name, String... scopes) {
        Res r = asAdmin("POST", "/v1/keys", Api.MAPPER.createObjectNode().put("name", name)
                .set("scopes", Api.MAPPER.valueToTree(List.of(scopes))));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.str("key");
    }

    private static void signIn(String key) {
        await().atMost(Duration.ofSeconds(15)).until(() -> !driver.findElements(By.cssSelector("[data-testid='signin-key']")).isEmpty());
        WebElement input = byTestId("signin-key");
        input.clear();
        input.sendKeys(key);
        byTestId("signin-submit").click();
    }

    private static Object script(String js) {
        return driver.executeScript(js);
    }

    @Test
    void withKeysTheDashboardSignsInFollowsLiveAndSaysWhatAKeyMayNotDo() {
        String name = TestServer.name("auth");
        assertThat(asAdmin("PUT", "/v1/semaphores/" + name, j("{'limit':3}")).status()).isEqualTo(201);
        String manager = key("dashboard operator", "manage:auth-*");
        String user = key("dashboard viewer", "use:auth-*");

        // no key: the page asks for one
        driver.get(secureUrl("#/s/" + name));
        awaitText("signin-message", "This Sluice node asks for an API key.");
        // a wrong key is refused, and said so
        signIn("sluice_not-a-real-key");
        awaitText("signin-message", "That key is not valid: unknown or revoked. Check it and try again.");

        // a manage: key opens the page, which then follows the event stream (fetch, with the key)
        signIn(manager);
        awaitText("in-use", "0");
        awaitText("limit", "3");
        assertThat(driver.getCurrentUrl()).doesNotContain(manager);
        assertThat(script("return sessionStorage.getItem('sluice.apiKey')")).isEqualTo(manager);
        assertThat(script("return document.cookie")).isEqualTo("");
        Res permit = asAdmin("POST", "/v1/semaphores/" + name + "/permits", null);
        assertThat(permit.status()).isEqualTo(201);
        awaitText("in-use", "1");
        awaitText("status", "Open");

        // it may pause and resume
        byTestId("pause-toggle").click();
        await().atMost(Duration.ofSeconds(10)).until(() -> asAdmin("GET", "/v1/semaphores/" + name, null).json().get("paused").asBoolean());
        awaitText("status", "Paused");
        byTestId("pause-toggle").click();
        await().atMost(Duration.ofSeconds(10)).until(() -> !asAdmin("GET", "/v1/semaphores/" + name, null).json().get("paused").asBoolean());
        awaitText("pause-toggle", "Pause");

        // a use:-only key sees the page live but may not pause: the page says what the key may not do
        byTestId("signout").click();
        awaitText("signin-message", "This Sluice node asks for an API key.");
        signIn(user);
        awaitText("in-use", "1");
        asAdmin("DELETE", "/v1/semaphores/" + name + "/permits/" + permit.str("permitId"), null);
        awaitText("in-use", "0");
        byTestId("pause-toggle").click();
        await().atMost(Duration.ofSeconds(10)).ignoreException(StaleElementReferenceException.class)
                .until(() -> driver.findElements(By.cssSelector(".toast.error")).stream()
                        .anyMatch(t -> t.getText().startsWith("Not allowed: the API key ") && t.getText().contains("may not manage semaphore " + name)));
        assertThat(asAdmin("GET", "/v1/semaphores/" + name, null).json().get("paused").asBoolean()).isFalse();
        awaitText("status", "Open");

        // a key revoked meanwhile: the next call is refused and the page asks again
        Res keys = asAdmin("GET", "/v1/keys", null);
        String userId = keys.json().get("items").valueStream().filter(k -> k.get("name").asString().equals("dashboard viewer"))
                .findFirst().orElseThrow().get("id").asString();
        assertThat(asAdmin("DELETE", "/v1/keys/" + userId, null).status()).isEqualTo(204);
        // the page's next call is refused: the click, or the periodic reload of the channels if it comes first
        driver.findElements(By.cssSelector("[data-testid='pause-toggle']")).forEach(b -> {
            try {
                b.click();
            } catch (org.openqa.selenium.WebDriverException gone) {
                // the sign-in replaced the page first
            }
        });
        await().atMost(Duration.ofSeconds(15)).until(() -> !driver.findElements(By.cssSelector("[data-testid='signin-message']")).isEmpty()
                && byTestId("signin-message").getText().startsWith("The key was refused"));
        assertThat(script("return sessionStorage.getItem('sluice.apiKey')")).isNull();
        assertNoConsoleErrorsBut(401, 403);
    }

    /**
     * The stream is read with fetch, so resuming is the page's own work: the page reaches the node
     * through a relay the test cuts, grants are made while it cannot connect, and after the relay
     * heals they must reach its list of events, replayed for the Last-Event-ID the page sends (a
     * fresh snapshot would show the count, not the events).
     */
    @Test
    void theEventStreamResumesWithLastEventIdAfterACut() throws Exception {
        String name = TestServer.name("resume");
        assertThat(asAdmin("PUT", "/v1/semaphores/" + name, j("{'limit':5}")).status()).isEqualTo(201);
        try (TcpProxy relay = new TcpProxy(secure.port())) {
            driver.get(relay.url() + "/#/s/" + name);
            signIn(ADMIN_KEY);
            awaitText("limit", "5");
            assertThat(asAdmin("POST", "/v1/semaphores/" + name + "/permits", null).status()).isEqualTo(201);
            awaitText("in-use", "1");

            relay.cut();
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
                    .until(() -> driver.findElement(By.id("live-text")).getText().equals("reconnecting"));
            assertThat(asAdmin("POST", "/v1/semaphores/" + name + "/permits", null).status()).isEqualTo(201);
            assertThat(asAdmin("POST", "/v1/semaphores/" + name + "/permits", null).status()).isEqualTo(201);
            assertThat(byTestId("in-use").getText()).as("nothing reaches the page while cut").isEqualTo("1");

            relay.heal();
            awaitText("in-use", "3");
            await().atMost(Duration.ofSeconds(15)).ignoreException(StaleElementReferenceException.class)
                    .until(() -> driver.findElements(By.cssSelector("#events .type.granted")).size() == 3);
            assertThat(driver.findElement(By.id("live-text")).getText()).isEqualTo("live");
            driver.executeScript("sessionStorage.clear()");
        }
        // the cut shows as network errors of the page's requests, and the first call as a 401; nothing else may
        List<LogEntry> errors = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .filter(e -> !e.getMessage().contains("net::ERR_") && !e.getMessage().contains("status of 401 "))
                .toList();
        assertThat(errors).as("console errors").isEmpty();
    }

    @Test
    void theSimulatePageRunsTheSimulatorSideBySide() throws Exception {
        driver.get(url("#/simulate"));
        await().atMost(Duration.ofSeconds(15)).until(() -> !driver.findElements(By.cssSelector("[data-testid='sim-form']")).isEmpty());
        new org.openqa.selenium.support.ui.Select(byTestId("sim-scenario")).selectByValue("spikes");
        byTestId("sim-duration").sendKeys("10m");
        byTestId("sim-seed").sendKeys("7");
        byTestId("sim-run").click();
        await().atMost(Duration.ofSeconds(30)).until(() -> byTestId("sim-result").isDisplayed());
        assertThat(byTestId("signout").isDisplayed()).as("no key is held on a node that asks for none").isFalse();

        assertThat(byTestId("sim-panel-sync").isDisplayed()).isTrue();
        assertThat(byTestId("sim-panel-async").isDisplayed()).isTrue();
        double syncRejected = Double.parseDouble(byTestId("sim-sync-rejectedPct").getText().replace("%", ""));
        assertThat(syncRejected).as("sync rejects a share in the bursts").isGreaterThan(10);
        assertThat(byTestId("sim-async-rejectedPct").getText()).isEqualTo("0.0%");
        assertThat(byTestId("sim-summary").getText()).startsWith("Without a queue (sync), ").contains("With the queue (async), none were");
        // three charts per panel, each with its lines drawn
        for (String mode : List.of("sync", "async")) {
            List<WebElement> charts = byTestId("sim-panel-" + mode).findElements(By.cssSelector("svg.sim-chart"));
            assertThat(charts).hasSize(3);
            charts.forEach(c -> assertThat(c.findElements(By.cssSelector("path"))).isNotEmpty());
        }
        // the figures are the server's: the same request through the API gives the same numbers
        Res r = api.post("/v1/simulations", j("{'scenario':'spikes','duration':'10m','seed':7}"));
        assertThat(byTestId("sim-sync-rejectedPct").getText())
                .isEqualTo(String.format(java.util.Locale.ROOT, "%.1f%%", r.json().get("sync").get("rejectedPct").asDouble()));
        assertThat(byTestId("sim-figures").getText()).contains(String.format(java.util.Locale.ROOT, "%,d", r.json().get("sync").get("offered").asLong()));

        // a refused parameter is shown, not thrown
        byTestId("sim-duration").clear();
        byTestId("sim-duration").sendKeys("3h");
        byTestId("sim-run").click();
        await().atMost(Duration.ofSeconds(15)).until(() -> byTestId("sim-error").isDisplayed());
        assertThat(byTestId("sim-error").getText()).startsWith("Cannot simulate: duration must be at most 1h");
        byTestId("sim-duration").clear();
        byTestId("sim-duration").sendKeys("10m");
        byTestId("sim-run").click();
        await().atMost(Duration.ofSeconds(30)).until(() -> !byTestId("sim-error").isDisplayed()
                && byTestId("sim-status").getText().startsWith("Simulated"));

        driver.executeScript("window.scrollTo(0, 0)");
        Path png = Path.of("target", "dashboard-simulate.png");
        Files.createDirectories(png.getParent());
        Files.write(png, driver.getScreenshotAs(OutputType.BYTES));
        assertNoConsoleErrorsBut(400);
    }

    @Test
    void theSemaphorePageIsLiveAndItsControlsWork() {
        String name = server.semaphore("dash", "{'limit':3}");
        driver.get(url("#/s/" + name));
        awaitText("in-use", "0");
        awaitText("limit", "3");
        awaitText("status", "Open");

        // in-use follows an acquire made through the API, by the event stream
        Res permit = api.post("/v1/semaphores/" + name + "/permits");
        assertThat(permit.status()).isEqualTo(201);
        awaitText("in-use", "1");
        api.post("/v1/semaphores/" + name + "/jobs", j("{'payload':{'order':1}}"));
        awaitText("waiting", "1");

        // the pause button pauses
        byTestId("pause-toggle").click();
        await().atMost(Duration.ofSeconds(10)).until(() -> api.get("/v1/semaphores/" + name).json().get("paused").asBoolean());
        awaitText("status", "Paused");
        awaitText("pause-toggle", "Resume");
        byTestId("pause-toggle").click();
        await().atMost(Duration.ofSeconds(10)).until(() -> !api.get("/v1/semaphores/" + name).json().get("paused").asBoolean());
        awaitText("pause-toggle", "Pause");

        // the limit form changes the limit
        WebElement limit = byTestId("limit-input");
        limit.clear();
        limit.sendKeys("7");
        driver.findElement(By.cssSelector("[data-testid='limit-form'] button[type='submit']")).click();
        await().atMost(Duration.ofSeconds(10)).until(() -> api.get("/v1/semaphores/" + name).json().get("limit").asInt() == 7);
        awaitText("limit", "7");

        // purge asks first, then empties the queue
        byTestId("purge").click();
        byTestId("confirm-ok").click();
        await().atMost(Duration.ofSeconds(10)).until(() -> server.state(name).get("waiting").asInt() == 0);
        awaitText("waiting", "0");

        api.delete("/v1/semaphores/" + name + "/permits/" + permit.str("permitId"));
        awaitText("in-use", "0");
        assertNoConsoleErrors();
    }

    @Test
    void theListShowsEverySemaphoreLive() {
        String name = server.semaphore("dashlist", "{'limit':4}");
        driver.get(url("#/"));
        By row = By.cssSelector("tr[data-name='" + name + "']");
        // the list is drawn again at each refresh: an element read between two draws is stale, and read again
        await().atMost(Duration.ofSeconds(15)).ignoreException(StaleElementReferenceException.class)
                .until(() -> !driver.findElements(row).isEmpty() && driver.findElement(row).getText().contains("0 / 4"));
        api.post("/v1/semaphores/" + name + "/permits");
        await().atMost(Duration.ofSeconds(15)).ignoreException(StaleElementReferenceException.class)
                .until(() -> driver.findElement(row).getText().contains("1 / 4"));
        await().atMost(Duration.ofSeconds(15)).ignoreException(StaleElementReferenceException.class)
                .until(() -> {
                    driver.findElement(row).click();
                    return true;
                });
        awaitText("in-use", "1");
        assertNoConsoleErrors();
    }

    /** A busy semaphore, for the picture in docs/: permits come and go, jobs flow, a few die. */
    @Test
    void screenshotOfABusySemaphore() throws Exception {
        String name = "partner-api";
        assertThat(api.put("/v1/semaphores/" + name, j("{'limit':8,'leaseTimeout':'PT30S','retry':{'maxAttempts':1}}")).status())
                .isIn(200, 201);
        driver.get(url("#/s/" + name));
        awaitText("limit", "8");
        driver.findElement(By.cssSelector("#window-tabs [data-window='60']")).click();
        Random random = new Random(42);
        List<String> held = new ArrayList<>();
        long end = System.nanoTime() + Duration.ofSeconds(16).toNanos();
        int round = 0;
        while (System.nanoTime() < end) {
            round++;
            boolean busy = round % 40 >= 12 && round % 40 < 30;   // a surge, then calm
            int burst = busy ? 2 + random.nextInt(4) : random.nextInt(2);
            for (int i = 0; i < burst; i++) {
                Res r = api.post("/v1/semaphores/" + name + "/permits", j("{'channel':'" + (random.nextBoolean() ? "eu" : "us") + "'}"));
                if (r.status() == 201) {
                    held.add(r.str("permitId"));
                }
            }
            int keep = busy ? 5 + random.nextInt(3) : 1 + random.nextInt(3);
            while (held.size() > keep) {
                api.delete("/v1/semaphores/" + name + "/permits/" + held.remove(random.nextInt(held.size())));
            }
            if (random.nextInt(3) == 0) {
                api.post("/v1/semaphores/" + name + "/jobs", j("{'payload':{'invoice':" + (1000 + round) + ",'amount':" + (10 + round) + ",'currency':'EUR'}}"));
            }
            if (round % 4 == 0) {
                Res c = api.post("/v1/semaphores/" + name + "/jobs/claim", j("{'max':2}"));
                for (var job : c.json().get("jobs")) {
                    String jobPath = "/v1/semaphores/" + name + "/jobs/" + job.get("jobId").asString();
                    if (random.nextInt(4) == 0) {
                        api.post(jobPath + "/fail", j("{'error':'partner answered 503 Service Unavailable','retryable':false}"));
                    } else {
                        api.post(jobPath + "/complete");
                    }
                }
            }
            Thread.sleep(100);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> !byTestId("dead").getText().equals("0"));
        driver.findElement(By.cssSelector("#job-tabs [data-state='dead']")).click();
        // the live table may be drawn anew between finding a row and clicking it: find it again then
        await().atMost(Duration.ofSeconds(10)).ignoreExceptionsInstanceOf(WebDriverException.class).until(() -> {
            driver.findElement(By.cssSelector("#jobs-body tr.link")).click();
            return true;
        });
        driver.executeScript("window.scrollTo(0, 0)");
        Thread.sleep(1200);   // one more chart sample, so the picture shows the latest second
        Path png = Path.of("target", "dashboard.png");
        Files.createDirectories(png.getParent());
        Files.write(png, driver.getScreenshotAs(OutputType.BYTES));
        assertThat(Files.size(png)).isGreaterThan(10_000);
        held.forEach(id -> api.delete("/v1/semaphores/" + name + "/permits/" + id));
        assertNoConsoleErrors();
    }
}
