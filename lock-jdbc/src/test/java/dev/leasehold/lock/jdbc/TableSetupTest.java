package dev.leasehold.lock.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockConfigurationException;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.table.Dialect;
import dev.leasehold.lock.testing.DatabaseKind;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestDatabases;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Building a manager checks the schema, the table and the grants before any lock is taken. */
class TableSetupTest {

    private static LockSettings.Builder settings(String prefix) {
        return LockSettings.builder().tablePrefix(prefix);
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void theTableIsCreatedWhenMissingAndTheShippedDdlMatchesIt(DatabaseKind kind) {
        TestDatabase db = TestDatabases.get(kind);
        String prefix = db.uniquePrefix("create");
        try (JdbcLockManager locks =
                JdbcLockManager.create(db.dataSource(), settings(prefix).build())) {
            assertThat(locks.dialect().name()).isEqualTo(kind.name());
            Lease lease = locks.lock("created").tryAcquire().orElseThrow();
            assertThat(lease.token()).isEqualTo(1);
            lease.release();
            // Building again over the existing table is fine.
            JdbcLockManager.create(db.dataSource(), settings(prefix).build()).close();
        } finally {
            db.dropTablesWithPrefix(prefix);
        }
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void aMissingTableWithoutCreationIsAnErrorThatPrintsTheDdl(DatabaseKind kind) {
        TestDatabase db = TestDatabases.get(kind);
        String prefix = db.uniquePrefix("nocreate");
        assertThatThrownBy(() -> JdbcLockManager.create(
                        db.dataSource(),
                        settings(prefix).createTableIfMissing(false).build()))
                .isInstanceOf(LockConfigurationException.class)
                .hasMessageContaining("is missing and createTableIfMissing is off")
                .hasMessageContaining("CREATE TABLE IF NOT EXISTS")
                .hasMessageContaining(prefix + "distributed_locks")
                .hasMessageContaining("/dev/leasehold/lock/table/ddl/");
        db.dropTablesWithPrefix(prefix);
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void aSchemaThatDoesNotExistFailsAtBuildTimeWithTheSqlStateAndWhatToDo(DatabaseKind kind) {
        TestDatabase db = TestDatabases.get(kind);
        assertThatThrownBy(() -> JdbcLockManager.create(
                        db.dataSource(),
                        settings("").schema("leasehold_no_such_schema").build()))
                .isInstanceOf(LockConfigurationException.class)
                .hasMessageContaining("schema leasehold_no_such_schema does not exist")
                .hasMessageContaining("CREATE SCHEMA")
                .hasMessageContaining("(SQLState ");
        assertThatThrownBy(() -> JdbcLockManager.create(
                        db.dataSource(),
                        settings("")
                                .schema("leasehold_no_such_schema")
                                .createTableIfMissing(false)
                                .build()))
                .isInstanceOf(LockConfigurationException.class)
                .hasMessageContaining("schema leasehold_no_such_schema does not exist");
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void anIncompatibleTableIsAnErrorThatListsTheProblems(DatabaseKind kind) {
        TestDatabase db = TestDatabases.get(kind);
        String prefix = db.uniquePrefix("wrong");
        String table = Dialect.valueOf(kind.name()).qualifiedTable(null, prefix);
        Jdbi.create(db.dataSource())
                .useHandle(h -> h.execute("CREATE TABLE " + table
                        + " (lock_name VARCHAR(255) PRIMARY KEY, owner_id VARCHAR(255), token INT)"));
        try {
            assertThatThrownBy(() -> JdbcLockManager.create(
                            db.dataSource(), settings(prefix).build()))
                    .isInstanceOf(LockConfigurationException.class)
                    .hasMessageContaining("exists but does not fit")
                    .hasMessageContaining("column token is")
                    .hasMessageContaining("column acquired_at is missing")
                    .hasMessageContaining("column expires_at is missing");
        } finally {
            db.dropTablesWithPrefix(prefix);
        }
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void aSchemaGivenExplicitlyHoldsTheTable(DatabaseKind kind) {
        TestDatabase db = TestDatabases.get(kind);
        String schema = db.uniquePrefix("schema").replaceAll("_$", "");
        Jdbi jdbi = Jdbi.create(db.dataSource());
        String quoted = Dialect.valueOf(kind.name()).quote(schema);
        jdbi.useHandle(h -> h.execute("CREATE SCHEMA " + quoted));
        try (JdbcLockManager locks = JdbcLockManager.create(
                db.dataSource(), settings("").schema(schema).build())) {
            assertThat(locks.table()).contains(schema);
            Lease lease = locks.lock("in-schema").tryAcquire().orElseThrow();
            assertThat(locks.inspect("in-schema")).isPresent();
            lease.release();
        } finally {
            String drop = kind == DatabaseKind.MARIADB ? "DROP SCHEMA " + quoted : "DROP SCHEMA " + quoted + " CASCADE";
            jdbi.useHandle(h -> h.execute(drop));
        }
    }

    @Test
    void aUserWithoutPrivilegesFailsAtBuildTimeWithTheSqlState() {
        TestDatabase db = TestDatabases.get(DatabaseKind.POSTGRESQL);
        String prefix = db.uniquePrefix("grants");
        String role = prefix + "user";
        Jdbi admin = Jdbi.create(db.dataSource());
        admin.useHandle(h -> h.execute("CREATE ROLE " + role + " LOGIN"));
        try (HikariDataSource limited = new HikariDataSource()) {
            limited.setJdbcUrl(db.jdbcUrl());
            limited.setUsername(role);
            limited.setPassword("");
            limited.setMaximumPoolSize(2);
            // PostgreSQL 15 grants no CREATE on schema public to ordinary roles.
            assertThatThrownBy(() ->
                            JdbcLockManager.create(limited, settings(prefix).build()))
                    .isInstanceOf(LockConfigurationException.class)
                    .hasMessageContaining("cannot create the lock table")
                    .hasMessageContaining("SQLState 42501")
                    .hasMessageContaining("CREATE TABLE IF NOT EXISTS");
            // The table exists (created by another user) but this one may not use it.
            JdbcLockManager.create(db.dataSource(), settings(prefix).build()).close();
            assertThatThrownBy(() ->
                            JdbcLockManager.create(limited, settings(prefix).build()))
                    .isInstanceOf(LockConfigurationException.class)
                    .hasMessageContaining("grant this user SELECT, INSERT and UPDATE")
                    .hasMessageContaining("SQLState 42501");
        } finally {
            db.dropTablesWithPrefix(prefix);
            admin.useHandle(h -> h.execute("DROP ROLE " + role));
        }
    }
}
