package dev.leasehold.lock.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.jdbc.internal.JdbcLeaseStore;
import dev.leasehold.lock.spi.LeaseGrant;
import dev.leasehold.lock.spi.LeaseKey;
import dev.leasehold.lock.testing.DatabaseKind;
import dev.leasehold.lock.testing.DriverDataSource;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestDatabases;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * How many round trips each store operation costs, counted below the connection pool: statement executions, commits,
 * rollbacks and validity checks. PostgreSQL needs one for every operation; H2 and MariaDB are listed in the README.
 * Only one statement per operation may take row locks, and PostgreSQL and MariaDB bound its lock wait inside that
 * statement (no extra round trip).
 */
class RoundTripTest {

    /** The expected counts per database. */
    record Expected(
            DatabaseKind kind, int firstAcquire, int acquire, int failedTry, int release, int renew, int renewAll1000) {
        @Override
        public String toString() {
            return kind.toString();
        }
    }

    static Stream<Arguments> databases() {
        return Stream.of(
                Arguments.of(new Expected(DatabaseKind.POSTGRESQL, 1, 1, 1, 1, 1, 1)),
                // H2 keeps its lock timeout per session: each locking operation reads it, sets rowLockTimeout and puts
                // it back, three statements more (in-process for an embedded H2). An acquire that grants nothing looks
                // whether the row exists (a purged name takes the insert path), and the insert path locks the token
                // floor in a transaction of its own (H2 has no share lock): the lock, the insert and the commit.
                Arguments.of(new Expected(DatabaseKind.H2, 8, 4, 5, 4, 4, 4)),
                // MariaDB: a failed try of a known name looks whether its row still exists.
                Arguments.of(new Expected(DatabaseKind.MARIADB, 3, 2, 2, 1, 2, 2)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void eachOperationCostsTheDocumentedRoundTrips(Expected expected) throws Exception {
        TestDatabase db = TestDatabases.get(expected.kind());
        String prefix = db.uniquePrefix("roundtrip");
        CountingDataSource counting = new CountingDataSource(new DriverDataSource(db));
        HikariConfig config = new HikariConfig();
        config.setDataSource(counting.dataSource());
        config.setMaximumPoolSize(1);
        config.setMinimumIdle(1);
        Duration lease = Duration.ofSeconds(30);
        LockSettings settings = LockSettings.builder().tablePrefix(prefix).build();
        try (HikariDataSource pool = new HikariDataSource(config)) {
            JdbcLeaseStore store = JdbcLeaseStore.open(Jdbi.create(pool), settings);
            JdbcLeaseStore other = JdbcLeaseStore.open(Jdbi.create(db.dataSource()), settings);

            counting.reset();
            LeaseGrant first = store.tryAcquire("a", "me", lease).orElseThrow();
            assertThat(counting.roundTrips()).as("first acquire of a new name").isEqualTo(expected.firstAcquire());

            counting.reset();
            assertThat(store.release("a", "me", first.token())).isTrue();
            assertThat(counting.roundTrips()).as("release").isEqualTo(expected.release());

            counting.reset();
            LeaseGrant again = store.tryAcquire("a", "me", lease).orElseThrow();
            assertThat(counting.roundTrips()).as("acquire of a known name").isEqualTo(expected.acquire());

            other.tryAcquire("b", "other", lease).orElseThrow();
            assertThat(store.inspect("b")).isPresent();
            counting.reset();
            assertThat(store.tryAcquire("b", "me", lease)).isEmpty();
            assertThat(counting.roundTrips()).as("failed try of a held lock").isEqualTo(expected.failedTry());

            counting.reset();
            assertThat(store.renew("a", "me", again.token(), lease)).isPresent();
            assertThat(counting.roundTrips()).as("renew").isEqualTo(expected.renew());

            List<LeaseKey> keys = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                String name = "many-" + i;
                keys.add(new LeaseKey(
                        name, store.tryAcquire(name, "me", lease).orElseThrow().token()));
            }
            counting.reset();
            assertThat(store.renewAll("me", keys, lease)).hasSize(1000);
            assertThat(counting.roundTrips()).as("renewAll of 1,000 leases").isEqualTo(expected.renewAll1000());
        } finally {
            db.dropTablesWithPrefix(prefix);
        }
    }
}
