package dev.leasehold.lock.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.zaxxer.hikari.HikariDataSource;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.jdbc.internal.JdbcLeaseStore;
import dev.leasehold.lock.spi.LeaseGrant;
import dev.leasehold.lock.testing.DatabaseKind;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestDatabases;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * A release on PostgreSQL commits asynchronously, for its own transaction only: the application's pooled connection
 * keeps its synchronous_commit setting, and the release is still visible to everyone at once. Its wait for a row that
 * another transaction holds is bounded by the row lock timeout, set for its own transaction only too.
 */
class PostgresReleaseTest {

    @Test
    void anAsynchronousReleaseLeavesTheConnectionsSettingAlone() throws Exception {
        TestDatabase db = TestDatabases.get(DatabaseKind.POSTGRESQL);
        String prefix = db.uniquePrefix("asyncrel");
        try (HikariDataSource single = db.newPool("release", 1)) {
            Jdbi jdbi = Jdbi.create(single);
            JdbcLeaseStore store = JdbcLeaseStore.open(
                    jdbi, LockSettings.builder().tablePrefix(prefix).build());
            LeaseGrant grant =
                    store.tryAcquire("async", "me", Duration.ofSeconds(30)).orElseThrow();
            assertThat(store.release("async", "me", grant.token())).isTrue();
            String setting = jdbi.withHandle(h ->
                    h.createQuery("SHOW synchronous_commit").mapTo(String.class).one());
            assertThat(setting)
                    .as("synchronous_commit of the pooled connection after a release")
                    .isEqualTo("on");
            JdbcLeaseStore other = JdbcLeaseStore.open(
                    Jdbi.create(db.dataSource()),
                    LockSettings.builder().tablePrefix(prefix).build());
            assertThat(other.inspect("async"))
                    .as("the release is visible to another session")
                    .isEmpty();
            assertThat(other.tryAcquire("async", "other", Duration.ofSeconds(30)))
                    .isPresent();
        } finally {
            db.dropTablesWithPrefix(prefix);
        }
    }

    @Test
    void aReleaseThatMeetsItsRowLockedFailsAfterTheRowLockTimeoutInsteadOfWaiting() throws Exception {
        TestDatabase db = TestDatabases.get(DatabaseKind.POSTGRESQL);
        String prefix = db.uniquePrefix("lockedrel");
        try (HikariDataSource single = db.newPool("release", 1)) {
            Jdbi jdbi = Jdbi.create(single);
            JdbcLeaseStore store = JdbcLeaseStore.open(
                    jdbi,
                    LockSettings.builder()
                            .tablePrefix(prefix)
                            .rowLockTimeout(Duration.ofMillis(100))
                            .build());
            LeaseGrant grant =
                    store.tryAcquire("locked", "me", Duration.ofSeconds(30)).orElseThrow();
            try (AutoCloseable rowLock = db.lockLeaseRow(prefix, "locked")) {
                // Without the bound the release would wait for the other transaction, which ends only after this.
                Throwable failure = catchThrowable(() -> CompletableFuture.supplyAsync(() -> {
                            try {
                                return store.release("locked", "me", grant.token());
                            } catch (SQLException e) {
                                throw new IllegalStateException(e);
                            }
                        })
                        .get(30, TimeUnit.SECONDS));
                assertThat(failure)
                        .as("a release while another transaction holds the row")
                        .hasRootCauseInstanceOf(SQLException.class);
                assertThat(((SQLException) rootCause(failure)).getSQLState())
                        .as("SQLState: lock not available")
                        .isEqualTo("55P03");
            }
            String setting = jdbi.withHandle(
                    h -> h.createQuery("SHOW lock_timeout").mapTo(String.class).one());
            assertThat(setting)
                    .as("lock_timeout of the pooled connection after the release")
                    .isEqualTo("0");
            assertThat(store.release("locked", "me", grant.token()))
                    .as("the release once the other transaction ended")
                    .isTrue();
        } finally {
            db.dropTablesWithPrefix(prefix);
        }
    }

    private static Throwable rootCause(Throwable t) {
        Throwable cause = t;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
