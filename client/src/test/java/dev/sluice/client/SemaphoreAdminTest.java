package dev.sluice.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.server.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configuring semaphores and administering jobs through the SDK, against a real node. */
class SemaphoreAdminTest {
    @TempDir
    static Path dataDir;
    static TestServer server;
    static Sluice sluice;

    @BeforeAll
    static void start() {
        server = TestServer.start(dataDir);
        sluice = Sluice.connect("http://127.0.0.1:" + server.port());
    }

    @AfterAll
    static void stop() {
        sluice.close();
        server.close();
    }

    @Test
    void previewSaysWhatCreateWouldChangeWithoutChangingIt() {
        Semaphore s = sluice.semaphore(TestServer.name("preview"));
        SemaphoreConfig ten = SemaphoreConfig.builder(10).channelLimit(2).build();

        assertThat(s.preview(ten).action()).isEqualTo(ConfigPreview.Action.CREATE);
        assertThatThrownBy(s::state).isInstanceOf(NotFoundException.class);
        s.create(ten);
        assertThat(s.preview(ten).unchanged()).isTrue();
        ConfigPreview more = s.preview(SemaphoreConfig.builder(12).build());
        assertThat(more.action()).isEqualTo(ConfigPreview.Action.UPDATE);
        assertThat(more.changes()).containsExactly("limit", "channelLimit");
        assertThat(s.state().limit()).isEqualTo(10);
        assertThatThrownBy(() -> s.preview(SemaphoreConfig.builder(2_000_000).build())).isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void createIsAnIdempotentUpsertAndTheOtherOperationsChangeWhatTheySay() {
        Semaphore s = sluice.semaphore(TestServer.name("config"));

        SemaphoreView created = s.create(SemaphoreConfig.builder(10)
                .channelLimit(2)
                .leaseTimeout(Duration.ofMinutes(1))
                .retry(RetryPolicy.deadLetterAfter(4, Duration.ofSeconds(2), Duration.ofMinutes(1)))
                .onLeaseExpired(LeaseExpiryAction.DEADLETTER)
                .build());
        assertThat(created.name()).isEqualTo(s.name());
        assertThat(created.limit()).isEqualTo(10);
        assertThat(created.channelLimit()).isEqualTo(2);
        assertThat(created.leaseTimeout()).isEqualTo(Duration.ofMinutes(1));
        assertThat(created.retry()).isEqualTo(RetryPolicy.deadLetterAfter(4, Duration.ofSeconds(2), Duration.ofMinutes(1)));
        assertThat(created.onLeaseExpired()).isEqualTo(LeaseExpiryAction.DEADLETTER);
        assertThat(created.delivery()).isEqualTo(Delivery.pull());
        assertThat(s.create(SemaphoreConfig.builder(10).channelLimit(2).leaseTimeout(Duration.ofMinutes(1))
                .retry(RetryPolicy.deadLetterAfter(4, Duration.ofSeconds(2), Duration.ofMinutes(1)))
                .onLeaseExpired(LeaseExpiryAction.DEADLETTER).build()).limit()).isEqualTo(10);

        assertThat(s.setLimit(20).limit()).isEqualTo(20);
        assertThat(s.state().channelLimit()).as("setLimit leaves the rest alone").isEqualTo(2);
        assertThat(s.update(Map.of("channelLimit", 4)).channelLimit()).isEqualTo(4);
        assertThat(s.setLimitAsync(21).join().limit()).isEqualTo(21);

        assertThat(s.pause().paused()).isTrue();
        assertThat(s.resume().paused()).isFalse();
        assertThat(s.pause("eu").state().pausedChannels()).containsExactly("eu");
        assertThat(s.resume("eu").state().pausedChannels()).isEmpty();

        SemaphoreView v = s.state();
        assertThat(v.state()).isEqualTo(new SemaphoreView.State(0, 0, 0, 0, List.of()));
        assertThat(v.raw().get("name").asString()).isEqualTo(s.name());

        s.create(3); // a PUT: the settings changed since go back to defaults
        assertThat(s.state().channelLimit()).isNull();
        assertThat(s.state().leaseTimeout()).isEqualTo(Duration.ofMinutes(5));

        s.delete();
        assertThatThrownBy(s::state).isInstanceOf(NotFoundException.class);
    }

    @Test
    void semaphoresAreListedPageByPage() {
        String prefix = "list-" + System.nanoTime();
        for (int i = 0; i < 5; i++) {
            sluice.semaphore(prefix + "-" + i).create(i);
        }

        Page<SemaphoreView> first = sluice.semaphores(2, null);
        assertThat(first.items()).hasSize(2);
        assertThat(first.hasMore()).isTrue();
        Page<SemaphoreView> second = sluice.semaphores(2, first.nextCursor());
        assertThat(second.items()).extracting(SemaphoreView::name).doesNotContainAnyElementsOf(
                first.items().stream().map(SemaphoreView::name).toList());

        List<String> all = sluice.allSemaphores().map(SemaphoreView::name).toList();
        assertThat(all).contains(prefix + "-0", prefix + "-1", prefix + "-2", prefix + "-3", prefix + "-4");
        assertThat(all).doesNotHaveDuplicates();
    }

    @Test
    void jobsAreSubmittedWithOptionsAndAdministered() throws Exception {
        Semaphore s = sluice.semaphore(TestServer.name("jobs"));
        s.create(SemaphoreConfig.ofLimit(0)); // closed gate: everything waits

        JobRef a = s.submit(Map.of("order", 1), SubmitOptions.defaults().withIdempotencyKey("order-1"));
        JobRef again = s.submit(Map.of("order", 1), SubmitOptions.defaults().withIdempotencyKey("order-1"));
        JobRef b = s.submitAsync(Map.of("order", 2), SubmitOptions.defaults().withChannel("eu").withPriority(5)).join();
        JobRef c = s.submit("third");

        assertThat(a.duplicate()).isFalse();
        assertThat(a.state()).isEqualTo(JobState.WAITING);
        assertThat(again.duplicate()).isTrue();
        assertThat(again.jobId()).isEqualTo(a.jobId());
        assertThat(b.position()).as("priority 5 goes first").isEqualTo(1);

        JobView vb = s.job(b.jobId());
        assertThat(vb.channel()).isEqualTo("eu");
        assertThat(vb.priority()).isEqualTo(5);
        assertThat(vb.payload().get("order").asInt()).isEqualTo(2);
        assertThat(vb.createdAt()).isNotNull();

        Page<JobView> page = s.jobs(JobState.WAITING, 2, null);
        assertThat(page.items()).hasSize(2);
        assertThat(page.hasMore()).isTrue();
        assertThat(s.allJobs(JobState.WAITING).map(JobView::jobId)).containsExactlyInAnyOrder(a.jobId(), b.jobId(), c.jobId());

        assertThat(s.cancel(c.jobId()).state()).isEqualTo(JobState.CANCELLED);
        assertThatThrownBy(() -> s.requeue(c.jobId())).isInstanceOf(ConflictException.class);
        assertThat(s.requeue(b.jobId()).state()).isEqualTo(JobState.WAITING);
        assertThat(s.reschedule(b.jobId()).state()).isEqualTo(JobState.WAITING);

        // fail one for good, then redrive it
        s.setLimit(1);
        Job claimed = s.claim(1, Duration.ofSeconds(10)).getFirst();
        claimed.fail("no such order", false);
        assertThat(s.job(claimed.jobId()).state()).isEqualTo(JobState.DEAD);
        assertThat(s.state().state().dead()).isEqualTo(1);
        assertThat(s.redrive(List.of(claimed.jobId()), RedrivePosition.ORIGINAL)).isEqualTo(1);
        assertThat(s.job(claimed.jobId()).state()).isEqualTo(JobState.WAITING);

        s.setLimit(0);
        assertThat(s.purgeAsync().join()).isEqualTo(2);
        assertThat(s.allJobs(JobState.WAITING)).isEmpty();
    }
}
