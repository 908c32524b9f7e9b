package dev.leasehold.lock.spring.boot.actuate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockEvents;
import dev.leasehold.lock.LockExpiredException;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.Locks;
import dev.leasehold.lock.jdbc.JdbcLockManager;
import dev.leasehold.lock.testing.DatabaseKind;
import dev.leasehold.lock.testing.FailingDataSource;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestDatabases;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * The health indicator's three states and its recent losses, with real managers on H2 whose connections can be made to
 * fail. The window is measured on a ticker the test moves, so that no test waits for it to pass.
 */
class LeaseholdHealthIndicatorTest {

    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

    private final TestDatabase db = TestDatabases.get(DatabaseKind.H2);
    private final String prefix = db.uniquePrefix("health");
    private final FailingDataSource dataSource = new FailingDataSource(db.dataSource());
    private final AtomicLong ticker = new AtomicLong(42);
    private final RecentLeaseLosses losses =
            new RecentLeaseLosses(Duration.ofMinutes(5), Clock.fixed(NOW, ZoneOffset.UTC), ticker::get);
    private final LockManager manager = Locks.builder()
            .dataSource(dataSource)
            .tablePrefix(prefix)
            .ownerId("health-test")
            .leaseTime(Duration.ofSeconds(3))
            .listener(losses)
            .build();
    private final LeaseholdHealthIndicator indicator = new LeaseholdHealthIndicator(manager, "probe", losses);

    @AfterEach
    void tearDown() {
        dataSource.failing(false);
        manager.close();
        db.dropTablesWithPrefix(prefix);
    }

    @Test
    void upWhileTheDatabaseAnswers() {
        Health health = indicator.health();

        assertThat(health.getStatus()).isEqualTo(Status.UP);
        assertThat(health.getDetails()).containsEntry("ownerId", "health-test").containsEntry("probe", "probe");
        assertThat(lost(health)).containsEntry("count", 0).containsEntry("lostWindow", "PT5M");
    }

    @Test
    void downWithTheSqlStateWhenTheDatabaseKeepsFailing() {
        dataSource.failing(true);

        Health health = indicator.health();

        assertThat(health.getStatus()).isEqualTo(Status.DOWN);
        assertThat(health.getDetails()).containsEntry("sqlState", FailingDataSource.CONNECTION_FAILURE);
        assertThat(health.getDetails()).containsKey("error");
    }

    @Test
    void outOfServiceOnceTheManagerIsClosed() {
        manager.close();

        Health health = indicator.health();

        assertThat(health.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
        assertThat((String) health.getDetails().get("reason")).startsWith("the lock manager is closed");
    }

    @Test
    void aLeaseReleasedByAnotherManagerIsReportedForTheWindowAndTheStatusStaysUp() throws Exception {
        Lease lease = manager.lock("nightly-report").acquire();
        CompletableFuture<LockExpiredException> lost = new CompletableFuture<>();
        lease.onLost(lost::complete);
        try (JdbcLockManager admin = JdbcLockManager.create(
                db.dataSource(),
                Locks.builder().tablePrefix(prefix).ownerId("admin").buildSettings())) {
            assertThat(admin.forceRelease("nightly-report")).isPresent();
        }
        // The holder notices at its next renewal; its onLost listeners run after the manager's listeners.
        lost.get(10, TimeUnit.SECONDS);

        Health health = indicator.health();

        assertThat(health.getStatus()).isEqualTo(Status.UP);
        assertThat(lost(health)).containsEntry("count", 1);
        assertThat(newest(health))
                .singleElement()
                .satisfies(loss -> assertThat(loss)
                        .containsEntry("name", "nightly-report")
                        .containsEntry("token", lease.token())
                        .containsEntry("reason", "RELEASED_BY_ADMIN")
                        .containsEntry("noticedAt", NOW.toString()));

        ticker.addAndGet(Duration.ofMinutes(5).toNanos());
        assertThat(lost(indicator.health())).as("at the window's end").containsEntry("count", 1);
        ticker.incrementAndGet();
        assertThat(lost(indicator.health())).as("after the window").containsEntry("count", 0);
    }

    @Test
    void keepsTheNewestLossesWhenManyAreLostAtOnce() {
        for (int i = 0; i < RecentLeaseLosses.MAX_KEPT + 3; i++) {
            losses.leaseLost(
                    new LockEvents.LeaseLost("jdbc", "job-" + i, i, LockEvents.LossReason.EXPIRED, Duration.ZERO));
        }

        Health health = indicator.health();

        assertThat(lost(health))
                .containsEntry("count", RecentLeaseLosses.MAX_KEPT)
                .containsEntry("truncated", true);
        assertThat(newest(health)).hasSize(LeaseholdHealthIndicator.LOSSES_SHOWN);
        assertThat(newest(health).get(0)).containsEntry("name", "job-" + (RecentLeaseLosses.MAX_KEPT + 2));
    }

    @Test
    void aWindowThatIsNotPositiveIsRefused() {
        assertThatThrownBy(() -> new RecentLeaseLosses(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("leasehold.actuator.health.lost-window");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> lost(Health health) {
        return (Map<String, Object>) health.getDetails().get("leasesLost");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> newest(Health health) {
        return (List<Map<String, Object>>) lost(health).get("newest");
    }
}
