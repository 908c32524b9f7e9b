package dev.leasehold.lock.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.jdbc.internal.JdbcLeaseStore;
import dev.leasehold.lock.spi.LeaseGrant;
import dev.leasehold.lock.testing.DatabaseKind;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestDatabases;
import java.time.Duration;
import java.util.Locale;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * Throughput of the lease table's store operations on one connection, against PostgreSQL: what the README quotes.
 * Not part of the test run; run it with {@code mvn -B -pl lock-jdbc -am -Pbench test} (a few seconds per figure).
 */
class LeaseTableBenchmark {

    private static final Duration WARM_UP = Duration.ofSeconds(1);
    private static final Duration MEASURE = Duration.ofSeconds(5);

    @FunctionalInterface
    interface Op {
        void run() throws Exception;
    }

    private static double perSecond(Op op) throws Exception {
        long warmEnd = System.nanoTime() + WARM_UP.toNanos();
        while (System.nanoTime() < warmEnd) {
            op.run();
        }
        long start = System.nanoTime();
        long end = start + MEASURE.toNanos();
        long count = 0;
        while (System.nanoTime() < end) {
            op.run();
            count++;
        }
        return count / ((System.nanoTime() - start) / 1e9);
    }

    @Test
    void postgresql() throws Exception {
        TestDatabase db = TestDatabases.get(DatabaseKind.POSTGRESQL);
        String prefix = db.uniquePrefix("bench");
        try (HikariDataSource one = db.newPool("bench", 1)) {
            Jdbi jdbi = Jdbi.create(one);
            JdbcLeaseStore store = JdbcLeaseStore.open(
                    jdbi, LockSettings.builder().tablePrefix(prefix).build());
            Duration lease = Duration.ofSeconds(30);
            store.tryAcquire("held", "other", lease).orElseThrow();
            store.inspect("held");

            double select1 = perSecond(() -> jdbi.withHandle(
                    h -> h.createQuery("SELECT 1").mapTo(Integer.class).one()));
            double cycle = perSecond(() -> {
                LeaseGrant g = store.tryAcquire("cycle", "me", lease).orElseThrow();
                store.release("cycle", "me", g.token());
            });
            String syncRelease = "UPDATE " + store.table() + " SET owner_id = NULL, expires_at = clock_timestamp()"
                    + " WHERE lock_name = :name AND owner_id = :owner AND token = :token";
            double cycleSync = perSecond(() -> {
                LeaseGrant g = store.tryAcquire("cycle-sync", "me", lease).orElseThrow();
                jdbi.useHandle(h -> h.createUpdate(syncRelease)
                        .bind("name", "cycle-sync")
                        .bind("owner", "me")
                        .bind("token", g.token())
                        .execute());
            });
            double failed = perSecond(
                    () -> assertThat(store.tryAcquire("held", "me", lease)).isEmpty());
            LeaseGrant kept = store.tryAcquire("renewed", "me", lease).orElseThrow();
            double renew = perSecond(
                    () -> store.renew("renewed", "me", kept.token(), lease).orElseThrow());

            System.out.printf(
                    Locale.ROOT,
                    "%nLease table on %s, one connection, %d s per figure:%n"
                            + "  SELECT 1 (round-trip floor)      %8.0f /s%n"
                            + "  acquire + release (one cycle)    %8.0f /s%n"
                            + "  the same, synchronous release    %8.0f /s%n"
                            + "  failed try of a held lock        %8.0f /s%n"
                            + "  renew                            %8.0f /s%n",
                    db.describe(),
                    MEASURE.toSeconds(),
                    select1,
                    cycle,
                    cycleSync,
                    failed,
                    renew);
        } finally {
            db.dropTablesWithPrefix(prefix);
        }
    }
}
