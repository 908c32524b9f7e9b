package dev.leasehold.lock.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockExpiredException;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.RetryOptions;
import dev.leasehold.lock.tck.Crashes;
import dev.leasehold.lock.testing.DatabaseKind;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestDatabases;
import java.sql.Connection;
import java.time.Duration;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The transactional check (DESIGN.md semantics 7): a holder verifies its lease inside its own transaction before a
 * token-guarded write, so that the write commits only while the lease holds.
 */
class TransactionalCheckTest {

    private static final class Setup implements AutoCloseable {
        final TestDatabase db;
        final String prefix;
        final Jdbi jdbi;
        final String guarded;

        Setup(DatabaseKind kind) {
            db = TestDatabases.get(kind);
            prefix = db.uniquePrefix("txcheck");
            jdbi = Jdbi.create(db.dataSource());
            guarded = prefix + "guarded";
            jdbi.useHandle(h -> h.execute("CREATE TABLE " + guarded
                    + " (resource VARCHAR(50) PRIMARY KEY, last_token BIGINT NOT NULL, writes INT NOT NULL)"));
            jdbi.useHandle(h -> h.execute("INSERT INTO " + guarded + " VALUES ('invoice-42', 0, 0)"));
        }

        JdbcLockManager manager(Duration lease, Duration heartbeat) {
            return JdbcLockManager.create(
                    db.dataSource(),
                    LockSettings.builder()
                            .tablePrefix(prefix)
                            .leaseTime(lease)
                            .heartbeatInterval(heartbeat)
                            .retry(RetryOptions.waitUpTo(Duration.ofSeconds(10), Duration.ofMillis(20)))
                            .build());
        }

        /** The README's token-guarded write: verify the lease, then write only if the token is newer. */
        void guardedWrite(JdbcLockManager locks, Lease lease) {
            jdbi.useTransaction(h -> {
                locks.verifyHeld(h, lease);
                h.createUpdate("UPDATE " + guarded + " SET last_token = :token, writes = writes + 1"
                                + " WHERE resource = 'invoice-42' AND last_token < :token")
                        .bind("token", lease.token())
                        .execute();
            });
        }

        int writes() {
            return jdbi.withHandle(h -> h.createQuery("SELECT writes FROM " + guarded)
                    .mapTo(Integer.class)
                    .one());
        }

        @Override
        public void close() {
            db.dropTablesWithPrefix(prefix);
        }
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void aValidHolderWritesAndAStaleHolderTakenOverByAnotherCannot(DatabaseKind kind) {
        try (Setup s = new Setup(kind);
                JdbcLockManager holder = s.manager(Duration.ofSeconds(20), Duration.ofSeconds(10));
                JdbcLockManager other = s.manager(Duration.ofSeconds(20), Duration.ofSeconds(10))) {
            Lease lease = holder.lock("invoice-42").acquire();
            s.guardedWrite(holder, lease);
            assertThat(s.writes()).isEqualTo(1);

            // An administrator frees the row and another owner takes it; the holder has not noticed yet.
            s.jdbi.useHandle(h ->
                    h.execute("UPDATE " + holder.table() + " SET owner_id = NULL WHERE lock_name = ?", "invoice-42"));
            Lease newer = other.lock("invoice-42").acquire();
            assertThat(lease.isValid())
                    .as("the holder still believes it holds the lease")
                    .isTrue();

            assertThatThrownBy(() -> s.guardedWrite(holder, lease))
                    .isInstanceOf(LockExpiredException.class)
                    .hasMessageContaining("the database shows it expired or taken over");
            assertThat(s.writes()).as("the stale holder's write did not commit").isEqualTo(1);

            s.guardedWrite(other, newer);
            assertThat(s.writes()).isEqualTo(2);
        }
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void aPausedHolderWhoseLeaseWasTakenOverCannotWrite(DatabaseKind kind) {
        try (Setup s = new Setup(kind);
                JdbcLockManager paused = s.manager(Duration.ofMillis(600), Duration.ofMillis(200));
                JdbcLockManager other = s.manager(Duration.ofSeconds(20), Duration.ofSeconds(10))) {
            Lease lease = paused.lock("invoice-42").acquire();
            // The holder's process stops (a long GC pause): no heartbeat runs, the lease expires.
            Crashes.abandon(paused);
            Lease newer = other.lock("invoice-42").acquire();
            assertThat(newer.token()).isGreaterThan(lease.token());

            assertThatThrownBy(() -> s.guardedWrite(paused, lease)).isInstanceOf(LockExpiredException.class);
            assertThat(s.writes()).isZero();
            s.guardedWrite(other, newer);
            assertThat(s.writes()).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void theCheckRefusesToRunOutsideATransaction(DatabaseKind kind) throws Exception {
        try (Setup s = new Setup(kind);
                JdbcLockManager holder = s.manager(Duration.ofSeconds(20), Duration.ofSeconds(10))) {
            Lease lease = holder.lock("outside").acquire();
            try (Handle h = s.jdbi.open()) {
                assertThatThrownBy(() -> holder.verifyHeld(h, lease))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("inside the transaction");
            }
            try (Connection c = s.db.dataSource().getConnection()) {
                assertThatThrownBy(() -> holder.verifyHeld(c, lease))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("setAutoCommit(false)");
                c.setAutoCommit(false);
                holder.verifyHeld(c, lease);
                c.commit();
            }
            assertThatThrownBy(() -> holder.verifyHeld((Handle) null, lease))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("handle");
        }
    }
}
