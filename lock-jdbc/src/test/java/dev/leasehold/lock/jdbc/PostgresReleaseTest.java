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
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * A release on PostgreSQL commits asynchronously, for its own transaction only: the application's pooled connection
 * keeps its synchronous_commit setting, and the release is still visible to everyone at once.
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
}
