package dev.leasehold.lock.advisory;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.RetryOptions;
import dev.leasehold.lock.testing.TestDatabase;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 4 acceptance: a holder in another JVM killed with SIGKILL hands its lock on within a second, with a larger
 * token, although its lease (30 s) is far from over.
 */
class CrashHandoffTest {

    private static final TestDatabase DB = TestSupport.pg();
    private static final String PREFIX = DB.uniquePrefix("CrashHandoffTest");

    @AfterAll
    static void dropTables() {
        DB.dropTablesWithPrefix(PREFIX);
    }

    @Test
    void aHolderKilledWithSigkillHandsItsLockOnWithinASecondWithALargerToken() throws Exception {
        String name = "crash-handoff-" + System.nanoTime();
        ChildProcesses.Child child = ChildProcesses.startHolder(DB, "advisory", PREFIX, name, 30_000);
        try (HikariDataSource pool = DB.newPool("adv-next", 4);
                AdvisoryLockManager next = AdvisoryLockManager.create(
                        pool,
                        TestSupport.settings(PREFIX, Duration.ofSeconds(30))
                                .retry(RetryOptions.waitUpTo(Duration.ofSeconds(10), Duration.ofSeconds(10)))
                                .build())) {
            assertThat(next.lock(name).tryAcquire()).as("held by the child").isEmpty();
            LockInfo before = next.inspect(name).orElseThrow();
            assertThat(before.token()).isEqualTo(child.token());

            long killedAt = System.nanoTime();
            child.process().destroyForcibly(); // SIGKILL on Linux
            Lease lease = next.lock(name).acquire(Duration.ofSeconds(5));
            Duration handoff = Duration.ofNanos(System.nanoTime() - killedAt);
            System.out.println("advisory crash handoff (SIGKILL -> acquired): " + handoff.toMillis() + " ms");

            assertThat(handoff).isLessThan(Duration.ofSeconds(1));
            assertThat(lease.token()).isGreaterThan(child.token());
            assertThat(Duration.between(java.time.Instant.now(), before.expiresAt()))
                    .as("the crashed holder's lease had long to run")
                    .isGreaterThan(Duration.ofSeconds(20));
            assertThat(next.inspect(name)).map(LockInfo::ownerId).contains(next.ownerId());
            lease.release();
        } finally {
            child.process().destroyForcibly();
            child.process().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
