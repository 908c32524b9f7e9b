package dev.leasehold.lock.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.RetryOptions;
import dev.leasehold.lock.core.LeaseLockManager;
import dev.leasehold.lock.jdbc.internal.JdbcLeaseStore;
import dev.leasehold.lock.spi.ForwardingLeaseStore;
import dev.leasehold.lock.spi.LeaseGrant;
import dev.leasehold.lock.spi.SqlFailures;
import dev.leasehold.lock.testing.DatabaseKind;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestDatabases;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * 64 threads, each with a manager of its own, try a name never seen before, all at once: exactly one wins, and no
 * statement fails. Every statement error would reach the store's caller (and leave an ERROR in the server log), so a
 * store that records its failures proves the log stays clean; on PostgreSQL the winner's statement is the upsert.
 */
class StampedeTest {

    private static final int THREADS = 64;

    /** Records every failure of the store it wraps, before the engine could retry it. */
    static final class FailureRecordingStore extends ForwardingLeaseStore {
        final List<Throwable> failures;

        FailureRecordingStore(JdbcLeaseStore delegate, List<Throwable> failures) {
            super(delegate);
            this.failures = failures;
        }

        @Override
        public Optional<LeaseGrant> tryAcquire(String name, String owner, Duration leaseTime) throws SQLException {
            try {
                return super.tryAcquire(name, owner, leaseTime);
            } catch (SQLException | RuntimeException e) {
                failures.add(e);
                throw e;
            }
        }
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void exactlyOneOf64ContendersWinsANeverSeenNameAndNoStatementFails(DatabaseKind kind) throws Exception {
        TestDatabase db = TestDatabases.get(kind);
        String prefix = db.uniquePrefix("stampede");
        List<Throwable> storeFailures = Collections.synchronizedList(new ArrayList<>());
        List<LockManager> managers = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try (HikariDataSource connections = db.newPool("stampede", 32)) {
            Jdbi jdbi = Jdbi.create(connections);
            for (int i = 0; i < THREADS; i++) {
                LockSettings settings = LockSettings.builder()
                        .tablePrefix(prefix)
                        .retry(RetryOptions.none())
                        .build();
                JdbcLeaseStore store = JdbcLeaseStore.open(jdbi, settings);
                managers.add(new LeaseLockManager(new FailureRecordingStore(store, storeFailures), settings));
            }
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Optional<Lease>>> attempts = new ArrayList<>();
            for (LockManager manager : managers) {
                attempts.add(pool.submit(() -> {
                    start.await();
                    return manager.lock("never-seen").tryAcquire();
                }));
            }
            start.countDown();
            int winners = 0;
            List<Throwable> callerFailures = new ArrayList<>();
            for (Future<Optional<Lease>> attempt : attempts) {
                try {
                    winners += attempt.get(30, TimeUnit.SECONDS).isPresent() ? 1 : 0;
                } catch (Exception e) {
                    callerFailures.add(e);
                }
            }
            assertThat(callerFailures).as("exceptions that reached a caller").isEmpty();
            if (kind == DatabaseKind.MARIADB) {
                // MariaDB bounds row-lock waits in whole seconds: an acquire does not wait (rowLockTimeout 100 ms
                // rounds down to 0), so contenders that meet the winner's insert get "lock wait timeout", which the
                // engine reports as held. Nothing else may fail.
                assertThat(storeFailures)
                        .as("statements that failed other than on the winner's row lock")
                        .allMatch(SqlFailures::isLockNotAvailable);
            } else {
                assertThat(storeFailures)
                        .as("statements that failed (each an ERROR in the server log)")
                        .isEmpty();
            }
            assertThat(winners).isEqualTo(1);
            assertThat(managers.get(0).inspect("never-seen"))
                    .hasValueSatisfying(info -> assertThat(info.token()).isEqualTo(1));
        } finally {
            pool.shutdownNow();
            managers.forEach(LockManager::close);
            db.dropTablesWithPrefix(prefix);
        }
    }
}
