package dev.leasehold.lock.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockConfigurationException;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.RetryOptions;
import dev.leasehold.lock.testing.DatabaseKind;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestDatabases;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.jdbi.v3.core.ConnectionFactory;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.jdbc.datasource.TransactionAwareDataSourceProxy;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Lease statements never join the caller's transaction, however the application holds one: a plain JDBC connection
 * with auto-commit off, a Spring transaction reached through a {@link TransactionAwareDataSourceProxy} (unwrapped), a
 * Jdbi over Spring-managed connections (refused, saying what to do), and a pool whose connections come in manual-commit
 * mode (served, each statement committing its own work). The Jdbi-handle and EntityManager cases are TCK rule 9.1.
 */
class CallerTransactionTest {

    /** Leasehold's bound (100 ms) plus generous slack for a busy machine: far below "until the transaction ends". */
    private static final Duration TRY_BOUND = Duration.ofSeconds(2);

    private static final class Setup implements AutoCloseable {
        final TestDatabase db;
        final String prefix;
        final HikariDataSource pool;
        final String appTable;

        Setup(DatabaseKind kind, boolean autoCommit) throws Exception {
            db = TestDatabases.get(kind);
            prefix = db.uniquePrefix("callertx");
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(db.jdbcUrl());
            config.setUsername(db.user());
            config.setPassword(db.password());
            config.setMaximumPoolSize(6);
            config.setMinimumIdle(0);
            config.setAutoCommit(autoCommit);
            pool = new HikariDataSource(config);
            appTable = prefix + "orders";
            try (Connection c = db.dataSource().getConnection();
                    Statement s = c.createStatement()) {
                s.execute("CREATE TABLE " + appTable + " (id INT PRIMARY KEY)");
            }
        }

        LockSettings.Builder settings() {
            return LockSettings.builder()
                    .tablePrefix(prefix)
                    .leaseTime(Duration.ofSeconds(20))
                    .retry(RetryOptions.none());
        }

        JdbcLockManager other() {
            return JdbcLockManager.create(db.dataSource(), settings().build());
        }

        long appRows() throws Exception {
            try (Connection c = db.dataSource().getConnection();
                    Statement s = c.createStatement();
                    var rs = s.executeQuery("SELECT COUNT(*) FROM " + appTable)) {
                rs.next();
                return rs.getLong(1);
            }
        }

        @Override
        public void close() {
            pool.close();
            db.dropTablesWithPrefix(prefix);
        }
    }

    /** Another manager's try, on another thread, must answer within the bound while the caller's transaction is open. */
    private static Optional<Lease> tryFromAnotherThread(JdbcLockManager other, String name) throws Exception {
        long start = System.nanoTime();
        Optional<Lease> result = CompletableFuture.supplyAsync(
                        () -> other.lock(name).tryAcquire())
                .get(30, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(TRY_BOUND);
        return result;
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void aPlainJdbcTransactionWithAutoCommitOffIsNeverJoined(DatabaseKind kind) throws Exception {
        try (Setup setup = new Setup(kind, true);
                JdbcLockManager locks =
                        JdbcLockManager.create(setup.pool, setup.settings().build());
                JdbcLockManager other = setup.other()) {
            Lease kept;
            long releasedToken;
            try (Connection app = setup.pool.getConnection()) {
                app.setAutoCommit(false);
                try (Statement s = app.createStatement()) {
                    s.execute("INSERT INTO " + setup.appTable + " VALUES (1)");
                }
                kept = locks.lock("kept").acquire();
                kept.extend(Duration.ofSeconds(20));
                Lease released = locks.lock("released").acquire();
                releasedToken = released.token();
                released.release();
                assertThat(tryFromAnotherThread(other, "kept")).isEmpty();
                app.rollback();
            }
            assertThat(setup.appRows()).isZero();
            assertThat(kept.isValid()).isTrue();
            assertThat(other.inspect("kept")).map(i -> i.token()).contains(kept.token());
            Lease afterRelease = other.lock("released").tryAcquire().orElseThrow();
            assertThat(afterRelease.token()).isGreaterThan(releasedToken);
            kept.release();
            assertThat(other.lock("kept").tryAcquire().orElseThrow().token()).isGreaterThan(kept.token());
        }
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void aSpringTransactionReachedThroughATransactionAwareProxyIsNeverJoined(DatabaseKind kind) throws Exception {
        try (Setup setup = new Setup(kind, true)) {
            DataSource proxy = new TransactionAwareDataSourceProxy(setup.pool);
            TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(setup.pool));
            try (JdbcLockManager locks = (JdbcLockManager) dev.leasehold.lock.Locks.builder()
                            .dataSource(proxy)
                            .backend("jdbc")
                            .tablePrefix(setup.prefix)
                            .leaseTime(Duration.ofSeconds(20))
                            .retry(RetryOptions.none())
                            .build();
                    JdbcLockManager other = setup.other()) {
                Lease kept = tx.execute(status -> {
                    try (Connection app = proxy.getConnection();
                            Statement s = app.createStatement()) {
                        s.execute("INSERT INTO " + setup.appTable + " VALUES (1)");
                        Lease lease = locks.lock("kept").acquire();
                        assertThat(tryFromAnotherThread(other, "kept")).isEmpty();
                        status.setRollbackOnly();
                        return lease;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                assertThat(setup.appRows()).isZero();
                assertThat(kept.isValid()).isTrue();
                assertThat(other.inspect("kept")).map(i -> i.token()).contains(kept.token());
                kept.release();
                assertThat(other.lock("kept").tryAcquire().orElseThrow().token())
                        .isGreaterThan(kept.token());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void aJdbiOverSpringManagedConnectionsIsRefusedInsideATransactionAndNothingIsCommitted(DatabaseKind kind)
            throws Exception {
        try (Setup setup = new Setup(kind, true)) {
            // What jdbi3-spring's connection factory does: the thread's transaction connection when there is one.
            Jdbi springJdbi = Jdbi.create(new ConnectionFactory() {
                @Override
                public Connection openConnection() {
                    return DataSourceUtils.getConnection(setup.pool);
                }

                @Override
                public void closeConnection(Connection connection) {
                    DataSourceUtils.releaseConnection(connection, setup.pool);
                }
            });
            TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(setup.pool));
            try (JdbcLockManager locks =
                            JdbcLockManager.create(springJdbi, setup.settings().build());
                    JdbcLockManager other = setup.other()) {
                tx.executeWithoutResult(status -> {
                    springJdbi.useHandle(h -> h.execute("INSERT INTO " + setup.appTable + " VALUES (1)"));
                    assertThatThrownBy(() -> locks.lock("spring").tryAcquire())
                            .isInstanceOf(LockConfigurationException.class)
                            .hasMessageContaining("inside an open transaction")
                            .hasMessageContaining("Give Leasehold a DataSource");
                    status.setRollbackOnly();
                });
                assertThat(setup.appRows())
                        .as("the caller's transaction was not committed")
                        .isZero();
                assertThat(other.inspect("spring")).isEmpty();
                // Outside a transaction the same Jdbi hands out connections of their own.
                Lease lease = locks.lock("spring").tryAcquire().orElseThrow();
                assertThat(other.inspect("spring")).map(i -> i.token()).contains(lease.token());
                lease.release();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void aPoolOfManualCommitConnectionsIsServedAndEachStatementCommitsItsOwnWork(DatabaseKind kind) throws Exception {
        try (Setup setup = new Setup(kind, false);
                JdbcLockManager locks =
                        JdbcLockManager.create(setup.pool, setup.settings().build());
                JdbcLockManager other = setup.other()) {
            Lease lease = locks.lock("manual").tryAcquire().orElseThrow();
            assertThat(other.inspect("manual")).map(i -> i.token()).contains(lease.token());
            assertThat(other.lock("manual").tryAcquire()).isEmpty();
            lease.extend(Duration.ofSeconds(20));
            lease.release();
            Lease next = other.lock("manual").tryAcquire().orElseThrow();
            assertThat(next.token()).isGreaterThan(lease.token());
            assertThat(locks.lock("manual").tryAcquire()).isEmpty();
            next.release();
        }
    }
}
