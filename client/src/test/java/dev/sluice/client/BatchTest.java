package dev.sluice.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.server.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Semaphore#submitAll} and {@link Semaphore#completeAll} against a real node. */
class BatchTest {
    @TempDir
    static Path dataDir;
    static TestServer server;

    private Sluice sluice;

    @BeforeAll
    static void startServer() {
        server = TestServer.start(dataDir);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @BeforeEach
    void connect() {
        sluice = Sluice.connect("http://127.0.0.1:" + server.port());
    }

    @AfterEach
    void disconnect() {
        sluice.close();
    }

    record Order(int n) {}

    @Test
    void jobsSubmittedTogetherAreClaimedInOrderAndCompletedTogether() throws Exception {
        Semaphore s = sluice.semaphore(TestServer.name("sdk-batch"));
        s.create(SemaphoreConfig.ofLimit(10));
        List<Order> orders = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            orders.add(new Order(i));
        }
        List<JobRef> refs = s.submitAll(orders, SubmitOptions.defaults().withChannel("eu"));
        assertThat(refs).hasSize(5).allSatisfy(r -> {
            assertThat(r.state()).isEqualTo(JobState.WAITING);
            assertThat(r.duplicate()).isFalse();
        });
        assertThat(refs).extracting(JobRef::position).containsExactly(1L, 2L, 3L, 4L, 5L);

        List<Job> jobs = s.claim(5, Duration.ofSeconds(5));
        assertThat(jobs).extracting(Job::jobId).containsExactlyElementsOf(refs.stream().map(JobRef::jobId).toList());
        assertThat(jobs).extracting(j -> j.payload(Order.class).n()).containsExactly(0, 1, 2, 3, 4);
        assertThat(jobs).extracting(Job::channel).containsOnly("eu");

        Map<Job, SluiceException> refused = s.completeAll(jobs);
        assertThat(refused).isEmpty();
        assertThat(jobs).allSatisfy(j -> assertThat(j.isSettled()).isTrue());
        assertThat(s.state().state().inUse()).isZero();
        assertThat(s.job(jobs.get(4).jobId()).state()).isEqualTo(JobState.COMPLETED);
    }

    @Test
    void aJobRefusedInABatchIsLostAndTheOthersAreCompleted() throws Exception {
        Semaphore s = sluice.semaphore(TestServer.name("sdk-batch-lost"));
        s.create(SemaphoreConfig.ofLimit(2));
        s.submitAll(List.of("a", "b"));
        List<Job> jobs = s.claim(2, Duration.ofSeconds(5));
        s.requeue(jobs.get(0).jobId());   // its attempt is over: completing it is refused
        Map<Job, SluiceException> refused = s.completeAll(jobs);
        assertThat(refused).containsOnlyKeys(jobs.get(0));
        assertThat(refused.get(jobs.get(0))).isInstanceOf(LeaseExpiredException.class);
        assertThat(jobs.get(0).isValid()).isFalse();
        assertThat(jobs.get(1).isSettled()).isTrue();
        assertThat(s.job(jobs.get(1).jobId()).state()).isEqualTo(JobState.COMPLETED);
        assertThat(s.job(jobs.get(0).jobId()).state()).isEqualTo(JobState.WAITING);
    }

    @Test
    void aRefusedBatchEnqueuesNothingAndSaysWhy() {
        Semaphore s = sluice.semaphore(TestServer.name("sdk-batch-bad"));
        s.create(SemaphoreConfig.ofLimit(1));
        List<String> tooMany = new ArrayList<>();
        for (int i = 0; i < 101; i++) {
            tooMany.add("x");
        }
        assertThatThrownBy(() -> s.submitAll(tooMany)).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> s.submitAll(List.of("x"), SubmitOptions.defaults().withChannel("not a channel")))
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> s.submitAll(List.of("x"), SubmitOptions.defaults().withIdempotencyKey("k")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(s.state().state().waiting()).isZero();
        assertThatThrownBy(() -> sluice.semaphore(TestServer.name("sdk-batch-none")).submitAll(List.of("x")))
                .isInstanceOf(NotFoundException.class);
    }
}
