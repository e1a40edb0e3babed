package dev.sluice.server;

import static dev.sluice.server.Api.j;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.server.Api.Res;
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
    static TestServer server;
    static Api api;
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
        List<LogEntry> errors = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).toList();
        assertThat(errors).as("console errors").isEmpty();
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
        await().atMost(Duration.ofSeconds(10)).until(() -> !driver.findElements(By.cssSelector("#jobs-body tr.link")).isEmpty());
        driver.findElement(By.cssSelector("#jobs-body tr.link")).click();
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
