package dev.leasehold.lock.jpa.internal;

import dev.leasehold.lock.LockConfigurationException;
import dev.leasehold.lock.spi.SqlFailures;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Query;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure the lease table is there and usable before any lock is taken: creates it with the DDL of lock-jdbc when it
 * is missing and creation is allowed, then reads every column once. Each check runs in a transaction of its own.
 * Every problem is a {@link LockConfigurationException} that names the table, gives the SQLState and says what to run.
 *
 * <p>This class is thread-safe.
 */
public final class TableSetup {

    private static final Logger LOG = LoggerFactory.getLogger(TableSetup.class);

    /** How long start-up keeps trying after transient failures, as lock-jdbc's set-up does. */
    private static final Duration STARTUP_RETRY = Duration.ofSeconds(10);

    private TableSetup() {}

    /**
     * Checks the table of {@code mapping}, creating it first when it is missing and {@code create} is true. A transient
     * failure (a connection that the pool kept across a database restart, a deadlock) is tried again for up to 10 s.
     */
    public static void ensure(EntityManagerFactory emf, UnitMapping mapping, boolean create) {
        long deadline = System.nanoTime() + STARTUP_RETRY.toNanos();
        long pause = 50;
        while (true) {
            try {
                ensureOnce(emf, mapping, create);
                return;
            } catch (LockConfigurationException e) {
                if (!SqlFailures.isTransient(e.getCause()) || System.nanoTime() - deadline > 0) {
                    throw e;
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

    private static void ensureOnce(EntityManagerFactory emf, UnitMapping mapping, boolean create) {
        SqlDialect dialect = mapping.dialect();
        String table = mapping.table();
        String ddl = dialect.ddl(table);
        if (exists(emf, mapping)) {
            SQLException wrong = probe(emf, dialect, table);
            if (wrong != null) {
                throw configuration(
                        "the lock table " + table + " exists but does not fit; it should be:\n" + ddl, wrong);
            }
            checkColumnTypes(emf, mapping, ddl);
            return;
        }
        if (!create) {
            throw new LockConfigurationException("the lock table " + table + " is missing and createTableIfMissing is"
                    + " off: create it with\n" + ddl + "\n(the same DDL ships as the resource "
                    + dialect.ddlResource() + ")");
        }
        try {
            Tx.run(emf, em -> em.createNativeQuery(dialect.executableDdl(table)).executeUpdate());
            LOG.info("created the lock table {}", table);
        } catch (SQLException | RuntimeException e) {
            // Two managers starting at once may both try; the table existing afterwards is success.
            if (probe(emf, dialect, table) != null) {
                throw configuration(
                        "cannot create the lock table " + table + "; create it yourself with\n" + ddl
                                + "\nor grant this user the right to create tables (and check that its schema exists)",
                        e);
            }
        }
        SQLException wrong = probe(emf, dialect, table);
        if (wrong != null) {
            throw configuration("the lock table " + table + " exists but does not fit; it should be:\n" + ddl, wrong);
        }
    }

    /** Whether the catalog lists the table. */
    private static boolean exists(EntityManagerFactory emf, UnitMapping mapping) {
        Optional<String> schema = mapping.schema();
        try {
            return Tx.run(emf, em -> {
                        Query q = em.createNativeQuery(mapping.dialect().tableCountQuery(schema.isPresent()))
                                .setParameter(1, mapping.tableName());
                        schema.ifPresent(s -> q.setParameter(2, s));
                        return ((Number) q.getSingleResult()).longValue();
                    })
                    > 0;
        } catch (SQLException | RuntimeException e) {
            throw configuration("cannot reach the database to check the lock table " + mapping.table(), e);
        }
    }

    /**
     * Checks the data types of the columns, as lock-jdbc does: times with a time zone (MariaDB: DATETIME, in UTC), so
     * that a table made by other tooling (Hibernate's on MariaDB makes TIMESTAMP columns) is refused with the DDL.
     */
    private static void checkColumnTypes(EntityManagerFactory emf, UnitMapping mapping, String ddl) {
        Optional<String> schema = mapping.schema();
        List<?> rows;
        try {
            rows = Tx.run(emf, em -> {
                Query q = em.createNativeQuery(mapping.dialect().columnsQuery(schema.isPresent()))
                        .setParameter(1, mapping.tableName());
                schema.ifPresent(s -> q.setParameter(2, s));
                return q.getResultList();
            });
        } catch (SQLException | RuntimeException e) {
            throw configuration("cannot read the columns of the lock table " + mapping.table(), e);
        }
        Map<String, String> types = new HashMap<>();
        for (Object row : rows) {
            Object[] cells = (Object[]) row;
            types.put(
                    String.valueOf(cells[0]).toLowerCase(Locale.ROOT),
                    String.valueOf(cells[1]).toLowerCase(Locale.ROOT));
        }
        if (types.isEmpty()) {
            return; // not visible through the catalog of the current schema (PostgreSQL's search_path): probed above
        }
        StringBuilder problems = new StringBuilder();
        expect(types, "lock_name", problems, "char");
        expect(types, "owner_id", problems, "char");
        expect(types, "token", problems, "bigint", "int8");
        expect(types, "acquired_at", problems, mapping.dialect().timeType());
        expect(types, "expires_at", problems, mapping.dialect().timeType());
        if (problems.length() > 0) {
            throw new LockConfigurationException("the lock table " + mapping.table() + " exists but does not fit:"
                    + problems + "\nIt should be:\n" + ddl);
        }
    }

    private static void expect(Map<String, String> types, String column, StringBuilder problems, String... accepted) {
        String type = types.get(column);
        if (type == null) {
            problems.append("\n  - column ").append(column).append(" is missing");
            return;
        }
        boolean fits = false;
        for (String a : accepted) {
            fits |= type.contains(a);
        }
        if (!fits || type.contains("without time zone")) {
            problems.append("\n  - column ").append(column).append(" is ").append(type);
        }
    }

    /** Reads every column of the table, returning nothing: null when that works, else the failure. */
    private static SQLException probe(EntityManagerFactory emf, SqlDialect dialect, String table) {
        try {
            Tx.run(emf, em -> em.createNativeQuery(dialect.probeQuery(table)).getResultList());
            return null;
        } catch (SQLException e) {
            return e;
        } catch (RuntimeException e) {
            String state = SqlFailures.sqlState(e).orElse(null);
            if (state == null) {
                throw configuration("cannot reach the database to check the lock table " + table, e);
            }
            return new SQLException(e.getMessage(), state, e);
        }
    }

    private static LockConfigurationException configuration(String message, Exception cause) {
        String state = SqlFailures.sqlState(cause).orElse(null);
        String detail = cause.getMessage();
        for (Throwable c = cause; c != null; c = c.getCause()) {
            if (c instanceof SQLException sql && sql.getSQLState() != null) {
                detail = sql.getMessage();
            }
        }
        return new LockConfigurationException(
                message + (state != null ? " (SQLState " + state + ": " + detail + ")" : " (" + detail + ")"), cause);
    }
}
