package dev.leasehold.lock.jdbc.internal;

import dev.leasehold.lock.LockConfigurationException;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.jdbc.JdbcDialect;
import dev.leasehold.lock.spi.SqlFailures;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.jdbi.v3.core.ConnectionException;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure the lease table is there and usable before any lock is taken: finds the dialect, creates the table when
 * it is missing and {@code createTableIfMissing} is on, and checks its columns and privileges. Every problem is a
 * {@link LockConfigurationException} that names the table, gives the SQLState and says what to run.
 *
 * <p>Public (in this internal package) so that the {@code advisory} backend, which keeps the same lease rows, sets up
 * the table the same way.
 *
 * <p>This class is thread-safe.
 */
public final class TableSetup {

    private static final Logger LOG = LoggerFactory.getLogger(TableSetup.class);

    /** How long start-up keeps trying after transient failures. */
    private static final Duration STARTUP_RETRY = Duration.ofSeconds(10);

    /**
     * The dialect found and the quoted, qualified table name.
     *
     * @param dialect the database's dialect
     * @param table the table name as SQL, quoted and qualified
     * @param product the database product name, as the driver reports it
     */
    public record Result(JdbcDialect dialect, String table, String product) {}

    private TableSetup() {}

    /**
     * Finds the dialect, creates the table if it is missing (when the settings allow it) and checks it.
     *
     * @throws LockConfigurationException if the database, schema or table cannot be used
     */
    public static Result ensure(OwnConnections connections, LockSettings settings) {
        long deadline = System.nanoTime() + STARTUP_RETRY.toNanos();
        long pause = 50;
        while (true) {
            try {
                return connections.withHandle(h -> ensure(h, settings));
            } catch (LockConfigurationException e) {
                // A transient failure (a connection reset, a deadlock) during start-up is tried again for a while.
                if (!SqlFailures.isTransient(e.getCause()) || System.nanoTime() - deadline > 0) {
                    throw e;
                }
            } catch (JdbiException e) {
                if (!SqlFailures.isTransient(e) || System.nanoTime() - deadline > 0) {
                    throw configuration("cannot reach the database to set up the lock table", e);
                }
            }
            LOG.debug("transient failure while setting up the lock table; trying again in {} ms", pause);
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LockConfigurationException("interrupted while setting up the lock table", e);
            }
            pause = Math.min(1_000, pause * 2);
        }
    }

    private static Result ensure(Handle h, LockSettings settings) {
        Connection connection = h.getConnection();
        String product;
        JdbcDialect dialect;
        try {
            dialect = JdbcDialect.of(connection);
            product = connection.getMetaData().getDatabaseProductName();
        } catch (SQLException e) {
            throw new ConnectionException(e);
        }
        String schema = settings.schema().orElse(null);
        String table = dialect.qualifiedTable(schema, settings.tablePrefix());
        String ddl = dialect.ddl(schema, settings.tablePrefix());
        if (!tableExists(h, dialect, schema, settings.tableName(), table)) {
            if (!settings.createTableIfMissing()) {
                if (schema != null && !schemaExists(h, dialect, schema)) {
                    throw new LockConfigurationException(missingSchema(dialect, schema, connection));
                }
                throw new LockConfigurationException("the lock table " + table + " is missing and"
                        + " createTableIfMissing is off: create it with\n" + ddl
                        + "\n(the same DDL ships as the resource " + dialect.ddlResource() + ")");
            }
            create(h, dialect, schema, settings.tableName(), table, ddl, connection);
        }
        // Privileges first: the catalog hides the columns of a table the user may not read.
        checkPrivileges(h, table);
        checkColumns(h, dialect, schema, settings.tableName(), table, ddl);
        return new Result(dialect, table, product);
    }

    private static String missingSchema(JdbcDialect dialect, String schema, Connection connection) {
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

    private static boolean schemaExists(Handle h, JdbcDialect dialect, String schema) {
        String sql = switch (dialect) {
            case POSTGRESQL -> "SELECT count(*) FROM pg_namespace WHERE nspname = :schema";
            case H2, MARIADB -> "SELECT COUNT(*) FROM INFORMATION_SCHEMA.SCHEMATA WHERE SCHEMA_NAME = :schema";
        };
        return h.createQuery(sql).bind("schema", schema).mapTo(Long.class).one() > 0;
    }

    private static boolean tableExists(Handle h, JdbcDialect dialect, String schema, String tableName, String table) {
        if (dialect == JdbcDialect.POSTGRESQL) {
            return h.createQuery("SELECT to_regclass(:table) IS NOT NULL")
                    .bind("table", table)
                    .mapTo(Boolean.class)
                    .one();
        }
        return h.createQuery("SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = "
                                + currentSchema(dialect, schema) + " AND TABLE_NAME = :table")
                        .bind("schema", schema)
                        .bind("table", tableName)
                        .mapTo(Long.class)
                        .one()
                > 0;
    }

    private static String currentSchema(JdbcDialect dialect, String schema) {
        if (schema != null) {
            return ":schema";
        }
        return switch (dialect) {
            case POSTGRESQL -> "current_schema()";
            case H2 -> "CURRENT_SCHEMA";
            case MARIADB -> "DATABASE()";
        };
    }

    private static void create(
            Handle h,
            JdbcDialect dialect,
            String schema,
            String tableName,
            String table,
            String ddl,
            Connection connection) {
        try {
            h.execute(ddl);
            LOG.info("created the lock table {}", table);
        } catch (JdbiException e) {
            // Two managers starting at once may both try; the table existing afterwards is success.
            if (tableExists(h, dialect, schema, tableName, table)) {
                return;
            }
            if (schema != null && !schemaExists(h, dialect, schema)) {
                throw configuration(missingSchema(dialect, schema, connection), e);
            }
            throw configuration(
                    "cannot create the lock table " + table + "; create it yourself with\n" + ddl
                            + "\nor grant this user the right to create tables",
                    e);
        }
    }

    private static void checkColumns(
            Handle h, JdbcDialect dialect, String schema, String tableName, String table, String ddl) {
        String schemaOfTable = schema;
        if (dialect == JdbcDialect.POSTGRESQL && schema == null) {
            schemaOfTable = h.createQuery("SELECT n.nspname FROM pg_class c JOIN pg_namespace n"
                            + " ON n.oid = c.relnamespace WHERE c.oid = to_regclass(:table)")
                    .bind("table", table)
                    .mapTo(String.class)
                    .one();
        }
        Map<String, String> columns = new HashMap<>();
        h.createQuery("SELECT COLUMN_NAME, DATA_TYPE FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = "
                        + currentSchema(dialect, schemaOfTable) + " AND TABLE_NAME = :table")
                .bind("schema", schemaOfTable)
                .bind("table", tableName)
                .map((rs, ctx) -> Map.entry(
                        rs.getString(1).toLowerCase(Locale.ROOT),
                        rs.getString(2).toLowerCase(Locale.ROOT)))
                .forEach(e -> columns.put(e.getKey(), e.getValue()));
        StringBuilder problems = new StringBuilder();
        expect(columns, "lock_name", problems, "char");
        expect(columns, "owner_id", problems, "char");
        expect(columns, "token", problems, "bigint", "int8");
        String time = dialect == JdbcDialect.MARIADB ? "datetime" : "with time zone";
        expect(columns, "acquired_at", problems, time, "timestamp");
        expect(columns, "expires_at", problems, time, "timestamp");
        if (problems.length() > 0) {
            throw new LockConfigurationException(
                    "the lock table " + table + " exists but does not fit:" + problems + "\nIt should be:\n" + ddl);
        }
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

    private static void checkPrivileges(Handle h, String table) {
        try {
            h.createQuery("SELECT lock_name FROM " + table + " WHERE lock_name IS NULL")
                    .mapTo(String.class)
                    .list();
            h.createUpdate("UPDATE " + table + " SET token = token WHERE lock_name IS NULL")
                    .execute();
        } catch (JdbiException e) {
            throw configuration(
                    "cannot read and write the lock table " + table
                            + "; grant this user SELECT, INSERT and UPDATE on it",
                    e);
        }
    }

    private static LockConfigurationException configuration(String message, Exception cause) {
        String detail = "";
        Throwable root = cause;
        for (Throwable c = cause; c != null; c = c.getCause()) {
            if (detail.isEmpty() && c instanceof SQLException sql && sql.getSQLState() != null) {
                detail = " (SQLState " + sql.getSQLState() + ": " + sql.getMessage() + ")";
            }
            root = c;
        }
        if (root != cause && root.getMessage() != null && !detail.contains(root.getMessage())) {
            detail += "; caused by " + root.getMessage();
        }
        return new LockConfigurationException(message + detail, cause);
    }
}
