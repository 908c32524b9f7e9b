package dev.leasehold.lock.table.internal;

import dev.leasehold.lock.LockConfigurationException;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.spi.SqlFailures;
import dev.leasehold.lock.table.Dialect;
import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Makes sure the lease table is there and usable before any lock is taken, on a plain JDBC connection: finds the
 * dialect, creates the table when it is missing and {@code createTableIfMissing} is on, checks its columns and
 * privileges, and adds the column {@link Dialect#WAKE_UNTIL} to a table created before it existed (when {@code
 * createTableIfMissing} is on). Every problem is a {@link LockConfigurationException} that names the table, gives the
 * SQLState and says what to run. Each backend runs it on a connection of its own ({@code jdbc}, {@code advisory}) or
 * of the persistence unit ({@code jpa}), inside {@link #withRetries}.
 *
 * <p>This class is thread-safe.
 */
public final class TableSetup {

    private static final System.Logger LOG = System.getLogger(TableSetup.class.getName());

    /** How long start-up keeps trying after transient failures. */
    private static final Duration STARTUP_RETRY = Duration.ofSeconds(10);

    /**
     * The dialect found and the quoted, qualified table name.
     *
     * @param dialect the database's dialect
     * @param table the table name as SQL, quoted and qualified
     * @param product the database product name, as the driver reports it
     * @param wakeUntilMissing empty when the table has {@link Dialect#WAKE_UNTIL}; otherwise why it could not be
     *     added, for the backend that needs it to say so
     */
    public record Result(Dialect dialect, String table, String product, Optional<String> wakeUntilMissing) {}

    private TableSetup() {}

    /**
     * Runs a set-up attempt, trying again for up to 10 s while it fails transiently (a connection reset, a deadlock,
     * a connection that the pool kept across a database restart).
     *
     * @throws LockConfigurationException if the set-up fails otherwise, or keeps failing
     */
    public static <T> T withRetries(Supplier<T> attempt) {
        long deadline = System.nanoTime() + STARTUP_RETRY.toNanos();
        long pause = 50;
        while (true) {
            try {
                return attempt.get();
            } catch (LockConfigurationException e) {
                if (!SqlFailures.isTransient(e.getCause()) || System.nanoTime() - deadline > 0) {
                    throw e;
                }
            } catch (RuntimeException e) {
                if (!SqlFailures.isTransient(e) || System.nanoTime() - deadline > 0) {
                    throw configuration("cannot reach the database to set up the lock table", e);
                }
            }
            LOG.log(Level.DEBUG, "transient failure while setting up the lock table; trying again in {0} ms", pause);
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LockConfigurationException("interrupted while setting up the lock table", e);
            }
            pause = Math.min(1_000, pause * 2);
        }
    }

    /**
     * Finds the dialect, creates the table if it is missing (when the settings allow it) and checks it, on {@code
     * connection}. A connection inside a transaction is left in it (a failed creation is rolled back to a savepoint);
     * the caller commits.
     *
     * @throws LockConfigurationException if the database, schema or table cannot be used
     */
    public static Result ensure(Connection connection, LockSettings settings) {
        try {
            Dialect dialect = Dialect.of(connection);
            String product = connection.getMetaData().getDatabaseProductName();
            String schema = settings.schema().orElse(null);
            String table = dialect.qualifiedTable(schema, settings.tablePrefix());
            String ddl = dialect.ddl(schema, settings.tablePrefix());
            Catalog catalog = new Catalog(connection, dialect, schema, settings.tableName(), table);
            if (!catalog.tableExists()) {
                if (!settings.createTableIfMissing()) {
                    if (schema != null && !catalog.schemaExists()) {
                        throw new LockConfigurationException(missingSchema(dialect, schema, connection));
                    }
                    throw new LockConfigurationException("the lock table " + table + " is missing and"
                            + " createTableIfMissing is off: create it with\n" + ddl
                            + "\n(the same DDL ships as the resource " + dialect.ddlResource() + ")");
                }
                create(catalog, dialect, schema, table, connection);
            }
            // Privileges first: the catalog hides the columns of a table the user may not read.
            checkPrivileges(connection, table);
            Map<String, String> columns = checkColumns(catalog, dialect, table, ddl);
            LeaseStatements statements = LeaseStatements.of(dialect, table, settings.rowLockTimeout(), product);
            Optional<String> wakeUntilMissing;
            if (columns.containsKey(Dialect.WAKE_UNTIL)) {
                wakeUntilMissing = Optional.empty();
            } else if (!settings.createTableIfMissing()) {
                // The application manages the schema (Flyway, Liquibase): its migrations add the column, not us.
                wakeUntilMissing = Optional.of("createTableIfMissing is off, so Leasehold does not alter the table");
            } else {
                wakeUntilMissing = addWakeUntil(catalog, connection, statements);
            }
            ensureFloor(connection, statements);
            return new Result(dialect, table, product, wakeUntilMissing);
        } catch (SQLException e) {
            throw configuration("cannot set up the lock table", e);
        }
    }

    private static void create(Catalog catalog, Dialect dialect, String schema, String table, Connection connection)
            throws SQLException {
        Savepoint before = connection.getAutoCommit() ? null : connection.setSavepoint();
        try (Statement s = connection.createStatement()) {
            s.execute(dialect.executableDdl(table));
            LOG.log(Level.INFO, "created the lock table {0}", table);
        } catch (SQLException e) {
            if (before != null) {
                connection.rollback(before);
            }
            // Two managers starting at once may both try; the table existing afterwards is success.
            if (catalog.tableExists()) {
                return;
            }
            if (schema != null && !catalog.schemaExists()) {
                throw configuration(missingSchema(dialect, schema, connection), e);
            }
            throw configuration(
                    "cannot create the lock table " + table + "; create it yourself with\n" + dialect.ddlFor(table)
                            + "\nor grant this user the right to create tables",
                    e);
        }
    }

    private static String missingSchema(Dialect dialect, String schema, Connection connection) {
        return "schema " + schema + " does not exist in " + describe(connection) + ": create it (CREATE SCHEMA "
                + dialect.quote(schema) + ") or choose another with Locks.builder().schema(...)";
    }

    private static String describe(Connection c) {
        try {
            return c.getMetaData().getDatabaseProductName() + " at "
                    + c.getMetaData().getURL();
        } catch (SQLException e) {
            return "the database";
        }
    }

    private static void checkPrivileges(Connection connection, String table) {
        try (Statement s = connection.createStatement()) {
            s.executeQuery("SELECT lock_name FROM " + table + " WHERE lock_name IS NULL")
                    .close();
            s.executeUpdate("UPDATE " + table + " SET token = token WHERE lock_name IS NULL");
        } catch (SQLException e) {
            throw configuration(
                    "cannot read and write the lock table " + table
                            + "; grant this user SELECT, INSERT and UPDATE on it",
                    e);
        }
    }

    /**
     * Inserts the token floor's row unless it is there, so that it exists before anyone purges: an acquire whose
     * statement finds no floor reads 0 without locking anything. On H2 a start-up racing this one may insert it first.
     */
    private static void ensureFloor(Connection connection, LeaseStatements statements) throws SQLException {
        Savepoint before = connection.getAutoCommit() ? null : connection.setSavepoint();
        try (Statement s = connection.createStatement()) {
            s.executeUpdate(statements.ensureFloor());
        } catch (SQLException e) {
            if (before != null) {
                connection.rollback(before);
            }
            if (SqlFailures.isDuplicateKey(e)) {
                return;
            }
            throw configuration(
                    "cannot insert the token floor's row (lock_name '') into the lock table " + statements.table()
                            + "; grant this user INSERT on it, or insert it as the DDL resource "
                            + statements.dialect().ddlResource() + " does",
                    e);
        }
    }

    /**
     * Adds {@link Dialect#WAKE_UNTIL} to a table created before it existed, as creating the table is done at start-up.
     * A failure (no right to alter the table, whose schema the application manages; the table lock not had within
     * {@code rowLockTimeout}) is not an error: the backends work without the column as before it existed.
     *
     * @return empty when the column is there now; otherwise why not
     */
    private static Optional<String> addWakeUntil(Catalog catalog, Connection connection, LeaseStatements statements)
            throws SQLException {
        Savepoint before = connection.getAutoCommit() ? null : connection.setSavepoint();
        try (Statement s = connection.createStatement()) {
            s.execute(statements.addWakeUntil());
            LOG.log(Level.INFO, "added the column {0} to the lock table {1}", Dialect.WAKE_UNTIL, statements.table());
            return Optional.empty();
        } catch (SQLException e) {
            rollBackTo(connection, before);
            // Two managers starting at once may both try; the column existing afterwards is success.
            if (catalog.columns().containsKey(Dialect.WAKE_UNTIL)) {
                return Optional.empty();
            }
            LOG.log(Level.DEBUG, "cannot add the column " + Dialect.WAKE_UNTIL + " to " + statements.table(), e);
            // The first line: PostgreSQL adds where in the DO block it failed.
            String message = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
            return Optional.of("SQLState " + e.getSQLState() + ": " + message);
        }
    }

    /** Rolls back to a savepoint; on MariaDB and H2 DDL commits the transaction, and the savepoint is gone with it. */
    private static void rollBackTo(Connection connection, Savepoint savepoint) {
        if (savepoint == null) {
            return;
        }
        try {
            connection.rollback(savepoint);
        } catch (SQLException e) {
            LOG.log(Level.DEBUG, "the savepoint before a DDL statement is gone", e);
        }
    }

    /** Checks the columns the statements need, and returns every column with its type. */
    private static Map<String, String> checkColumns(Catalog catalog, Dialect dialect, String table, String ddl)
            throws SQLException {
        Map<String, String> columns = catalog.columns();
        StringBuilder problems = new StringBuilder();
        expect(columns, "lock_name", problems, "char");
        expect(columns, "owner_id", problems, "char");
        expect(columns, "token", problems, "bigint", "int8");
        // MariaDB's TIMESTAMP converts by the session's time zone and ends in 2038; a time without zone elsewhere
        // would be read in the JVM's zone: the times must be DATETIME(6) in UTC, or a time with zone.
        String time = dialect == Dialect.MARIADB ? "datetime" : "with time zone";
        expect(columns, "acquired_at", problems, time);
        expect(columns, "expires_at", problems, time);
        if (columns.containsKey(Dialect.WAKE_UNTIL)) { // optional, added when missing: see addWakeUntil
            expect(columns, Dialect.WAKE_UNTIL, problems, time);
        }
        if (problems.length() > 0) {
            throw new LockConfigurationException(
                    "the lock table " + table + " exists but does not fit:" + problems + "\nIt should be:\n" + ddl);
        }
        return columns;
    }

    private static void expect(Map<String, String> columns, String name, StringBuilder problems, String... types) {
        String type = columns.get(name);
        if (type == null) {
            problems.append("\n  - column ").append(name).append(" is missing");
            return;
        }
        boolean fits = false;
        for (String t : types) {
            fits |= type.contains(t);
        }
        boolean timeWithoutZone = type.contains("without time zone");
        if (!fits || timeWithoutZone) {
            problems.append("\n  - column ").append(name).append(" is ").append(type);
        }
    }

    /** A configuration error that names the first SQLState of its cause and the root cause's message. */
    public static LockConfigurationException configuration(String message, Exception cause) {
        String detail = SqlFailures.firstSqlException(cause)
                .map(sql -> " (SQLState " + sql.getSQLState() + ": " + sql.getMessage() + ")")
                .orElse("");
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root != cause && root.getMessage() != null && !detail.contains(root.getMessage())) {
            detail += "; caused by " + root.getMessage();
        }
        return new LockConfigurationException(message + detail, cause);
    }

    /** The catalog queries of the set-up, for one table. */
    private record Catalog(Connection connection, Dialect dialect, String schema, String tableName, String table) {

        boolean tableExists() throws SQLException {
            if (dialect == Dialect.POSTGRESQL) {
                return one("SELECT to_regclass(?) IS NOT NULL", table).equals(Boolean.TRUE);
            }
            return ((Number) one(
                                    "SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = "
                                            + schemaExpression() + " AND TABLE_NAME = ?",
                                    schemaArgs(tableName)))
                            .longValue()
                    > 0;
        }

        boolean schemaExists() throws SQLException {
            String sql = dialect == Dialect.POSTGRESQL
                    ? "SELECT count(*) FROM pg_namespace WHERE nspname = ?"
                    : "SELECT COUNT(*) FROM INFORMATION_SCHEMA.SCHEMATA WHERE SCHEMA_NAME = ?";
            return ((Number) one(sql, schema)).longValue() > 0;
        }

        /** Column names (lower case) and their data types (lower case) of the table, from the catalog. */
        Map<String, String> columns() throws SQLException {
            String schemaOfTable = schema;
            if (dialect == Dialect.POSTGRESQL && schema == null) {
                schemaOfTable = (String) one(
                        "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                                + " WHERE c.oid = to_regclass(?)",
                        table);
            }
            String where = schemaOfTable != null ? "?" : dialect.currentSchema();
            Map<String, String> columns = new HashMap<>();
            try (PreparedStatement ps = connection.prepareStatement("SELECT COLUMN_NAME, DATA_TYPE FROM"
                    + " INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = " + where + " AND TABLE_NAME = ?")) {
                int i = 1;
                if (schemaOfTable != null) {
                    ps.setString(i++, schemaOfTable);
                }
                ps.setString(i, tableName);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        columns.put(
                                rs.getString(1).toLowerCase(Locale.ROOT),
                                rs.getString(2).toLowerCase(Locale.ROOT));
                    }
                }
            }
            return columns;
        }

        private String schemaExpression() {
            return schema != null ? "?" : dialect.currentSchema();
        }

        private Object[] schemaArgs(String last) {
            return schema != null ? new Object[] {schema, last} : new Object[] {last};
        }

        private Object one(String sql, Object... args) throws SQLException {
            try (PreparedStatement ps = connection.prepareStatement(sql)) {
                for (int i = 0; i < args.length; i++) {
                    ps.setObject(i + 1, args[i]);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getObject(1);
                }
            }
        }
    }
}
