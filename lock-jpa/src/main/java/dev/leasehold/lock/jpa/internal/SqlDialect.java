package dev.leasehold.lock.jpa.internal;

import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.internal.Arguments;
import dev.leasehold.lock.jpa.Wait;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What the JPA backend writes as native SQL, per database: the database clock, the first insert of a name, a locking
 * read with a real timeout where the JPA provider cannot give one, and the DDL of the lease table (the same text as
 * lock-jdbc's, shipped under {@code /dev/leasehold/lock/jpa/ddl/}).
 *
 * <p>The clock is read as whole microseconds since the epoch, so that no time zone of the JVM, the driver or the
 * session touches it: PostgreSQL {@code clock_timestamp()} (the real time, not the transaction's start), H2 {@code
 * CURRENT_TIMESTAMP(6)} (H2 keeps it fixed within a transaction, which only makes leases end sooner) and MariaDB {@code
 * UTC_TIMESTAMP(6)} (its DATETIME columns hold UTC).
 *
 * <p>This enum is immutable and thread-safe.
 */
public enum SqlDialect {
    /** PostgreSQL. */
    POSTGRESQL("postgresql.sql", '"') {
        @Override
        String nowMicros() {
            return "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000 AS BIGINT)";
        }

        @Override
        String now() {
            return "clock_timestamp()";
        }

        @Override
        public String insertIfAbsent(String table) {
            return "INSERT INTO " + table + " (lock_name, owner_id, token, acquired_at, expires_at)"
                    + " VALUES (?1, NULL, 0, clock_timestamp(), clock_timestamp()) ON CONFLICT (lock_name) DO NOTHING";
        }

        @Override
        public Optional<String> lockWithTimeout(String table, Duration timeout) {
            // Hibernate turns the lock timeout hint into SET LOCAL lock_timeout: the JPA read does it all.
            return Optional.empty();
        }

        @Override
        public Optional<String> boundWaits(Duration maxWait) {
            // For the rest of a transaction of the backend's own; 0 would mean "wait forever".
            return Optional.of("SET LOCAL lock_timeout = '" + Math.max(1, ceilMillis(maxWait)) + "ms'");
        }

        @Override
        public String shareLock() {
            return "FOR SHARE";
        }
    },
    /** H2 2.x. */
    H2("h2.sql", '"') {
        @Override
        String nowMicros() {
            // EXTRACT(EPOCH …) honours the offset; DATEDIFF would count in the session's local time.
            return "CAST(EXTRACT(EPOCH FROM CURRENT_TIMESTAMP(6)) * 1000000 AS BIGINT)";
        }

        @Override
        String now() {
            return "CURRENT_TIMESTAMP(6)";
        }

        @Override
        public String insertIfAbsent(String table) {
            // No insert that ignores duplicates: a concurrent first insert fails with 23505, in a transaction of its
            // own that is rolled back, and means someone else inserted the row.
            return "INSERT INTO " + table + " (lock_name, owner_id, token, acquired_at, expires_at)"
                    + " SELECT CAST(?1 AS VARCHAR(255)), NULL, 0, CURRENT_TIMESTAMP(6), CURRENT_TIMESTAMP(6)"
                    + " WHERE NOT EXISTS (SELECT 1 FROM " + table + " WHERE lock_name = ?1)";
        }

        @Override
        public Optional<String> lockWithTimeout(String table, Duration timeout) {
            // Hibernate's H2 dialect renders NOWAIT and SKIP LOCKED but drops a real timeout; H2 takes seconds with
            // a fraction.
            long millis = Math.max(1, ceilMillis(timeout));
            String seconds = millis / 1000 + "." + String.format(Locale.ROOT, "%03d", millis % 1000);
            return Optional.of("SELECT lock_name FROM " + table + " WHERE lock_name = ?1 FOR UPDATE WAIT " + seconds);
        }

        @Override
        public String shareLock() {
            return "FOR UPDATE";
        }
    },
    /** MariaDB (and MySQL). */
    MARIADB("mariadb.sql", '`') {
        @Override
        String nowMicros() {
            return "TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', UTC_TIMESTAMP(6))";
        }

        @Override
        String now() {
            return "UTC_TIMESTAMP(6)";
        }

        @Override
        public String insertIfAbsent(String table) {
            // ON DUPLICATE KEY UPDATE with a no-op: a duplicate is not an error, and other errors still are (INSERT
            // IGNORE would turn them into warnings).
            return "INSERT INTO " + table + " (lock_name, owner_id, token, acquired_at, expires_at)"
                    + " VALUES (?1, NULL, 0, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))"
                    + " ON DUPLICATE KEY UPDATE lock_name = lock_name";
        }

        @Override
        public String insertIfAbsent(String table, Duration maxWait) {
            // Under REPEATABLE READ another transaction's locking read can hold a gap lock where the new key goes
            // (SKIP LOCKED does, next to a skipped row): never wait innodb_lock_wait_timeout (50 s) for it.
            return "SET STATEMENT innodb_lock_wait_timeout = " + (maxWait.isZero() ? 0 : wholeSeconds(maxWait))
                    + " FOR " + insertIfAbsent(table);
        }

        @Override
        public Optional<String> lockWithTimeout(String table, Duration timeout) {
            // Hibernate's MariaDB dialect drops a real timeout (innodb_lock_wait_timeout would stay 50 s); MariaDB's
            // WAIT takes whole seconds only, so the wait is rounded up to at least one second.
            return Optional.of("SELECT lock_name FROM " + table + " WHERE lock_name = ?1 FOR UPDATE WAIT "
                    + wholeSeconds(timeout));
        }

        @Override
        public String shareLock() {
            return "LOCK IN SHARE MODE";
        }

        @Override
        public Wait acquireWait(Duration rowLockTimeout) {
            return Wait.timeout(Duration.ofSeconds(rowLockTimeout.toSeconds()));
        }
    };

    private final String ddlResource;
    private final char quote;

    SqlDialect(String ddlResource, char quote) {
        this.ddlResource = ddlResource;
        this.quote = quote;
    }

    /** The database clock as microseconds since the epoch, as an SQL expression of type BIGINT. */
    abstract String nowMicros();

    /** The database clock as an SQL timestamp expression, comparable with the lease table's columns. */
    abstract String now();

    /**
     * An insert of a free row (no owner, token 0) for the name bound to {@code ?1} that changes nothing when the row
     * exists; on H2 a concurrent insert may still fail with a duplicate key (SQLState 23505).
     */
    public abstract String insertIfAbsent(String table);

    /**
     * {@link #insertIfAbsent(String)} waiting at most about {@code maxWait} for row or gap locks (MariaDB: in whole
     * seconds, zero for none); where the database bounds waits per transaction instead, {@link #boundWaits} does it.
     */
    public String insertIfAbsent(String table, Duration maxWait) {
        return insertIfAbsent(table);
    }

    /**
     * A statement that bounds every lock wait of the rest of the current transaction to about {@code maxWait}, where
     * the database can do that without touching the session (PostgreSQL's {@code SET LOCAL lock_timeout}).
     */
    public Optional<String> boundWaits(Duration maxWait) {
        return Optional.empty();
    }

    /**
     * A native locking read of the row named by {@code ?1} that waits at most {@code timeout}, for databases whose JPA
     * provider drops a real lock timeout; empty where the JPA read with the lock timeout hint does it.
     */
    public abstract Optional<String> lockWithTimeout(String table, Duration timeout);

    /** The clause that share-locks a row for the transactional check. */
    public abstract String shareLock();

    /**
     * How an acquire waits for a row another transaction holds, given the settings' {@code rowLockTimeout}: that long,
     * except on MariaDB, whose waits count whole seconds and which rounds it down (so 100 ms means NOWAIT: a row held
     * by another transaction means the lock is being taken, released or renewed right now).
     */
    public Wait acquireWait(Duration rowLockTimeout) {
        return Wait.timeout(rowLockTimeout);
    }

    /** The query that reads the database clock, as microseconds since the epoch. */
    public String clockQuery() {
        return "SELECT " + nowMicros();
    }

    /**
     * The query that tells, without locking, whether a lease on the name bound to {@code ?1} holds by the database
     * clock: one row with 1 (held) or 0 (free), or no row when the name was never used.
     */
    public String statusQuery(String table) {
        return "SELECT CASE WHEN owner_id IS NOT NULL AND expires_at > " + now() + " THEN 1 ELSE 0 END FROM " + table
                + " WHERE lock_name = ?1";
    }

    /**
     * The transactional check: the row of {@code ?1} when owner {@code ?2} holds it with token {@code ?3} by the
     * database clock, share-locked until the transaction ends.
     */
    public String verifyQuery(String table) {
        return "SELECT token FROM " + table + " WHERE lock_name = ?1 AND owner_id = ?2 AND token = ?3 AND expires_at > "
                + now() + " " + shareLock();
    }

    /**
     * A query that counts the tables named {@code ?1} in the schema {@code ?2} (with {@code inSchema}) or in the
     * connection's current schema: it finds a missing table without failing (a failing statement is logged at WARN by
     * Hibernate).
     */
    public String tableCountQuery(boolean inSchema) {
        if (this == POSTGRESQL) {
            return "SELECT COUNT(*) FROM pg_catalog.pg_tables WHERE tablename = ?1 AND schemaname = "
                    + (inSchema ? "?2" : "current_schema()");
        }
        return "SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_NAME = ?1 AND TABLE_SCHEMA = "
                + (inSchema ? "?2" : this == H2 ? "CURRENT_SCHEMA" : "DATABASE()");
    }

    /**
     * A query that lists the columns of the table named {@code ?1} with their data types, in the schema {@code ?2}
     * (with {@code inSchema}) or the connection's current one.
     */
    public String columnsQuery(boolean inSchema) {
        String current = this == POSTGRESQL ? "current_schema()" : this == H2 ? "CURRENT_SCHEMA" : "DATABASE()";
        return "SELECT COLUMN_NAME, DATA_TYPE FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_NAME = ?1 AND TABLE_SCHEMA = "
                + (inSchema ? "?2" : current);
    }

    /** The words one of the table's time columns' data type must contain. */
    String timeType() {
        return this == MARIADB ? "datetime" : "with time zone";
    }

    /** A query that reads every column of the table and returns nothing: fails if the table or a column is missing. */
    public String probeQuery(String table) {
        return "SELECT lock_name, owner_id, token, acquired_at, expires_at FROM " + table + " WHERE 1 = 0";
    }

    /** Quotes a validated identifier. */
    public String quote(String identifier) {
        return quote + identifier + quote;
    }

    /** The quote character of identifiers. */
    public char quoteChar() {
        return quote;
    }

    /**
     * The table as SQL, as lock-jdbc names it: {@code "schema"."prefix_distributed_locks"}, or without the schema when
     * none is given. Schema and prefix are checked as plain identifiers first.
     */
    public String qualifiedTable(String schema, String tablePrefix) {
        String table = quote(Arguments.tablePrefix(tablePrefix, LockSettings.TABLE_NAME) + LockSettings.TABLE_NAME);
        return schema == null ? table : quote(Arguments.schema(schema)) + "." + table;
    }

    /** The class-path resource holding the DDL, with the placeholder {@code ${table}}. */
    public String ddlResource() {
        return "/dev/leasehold/lock/jpa/ddl/" + ddlResource;
    }

    /** The DDL that creates the lease table named {@code table} (already quoted and qualified), comments included. */
    public String ddl(String table) {
        try (InputStream in = SqlDialect.class.getResourceAsStream(ddlResource())) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + ddlResource());
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("${table}", table);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The DDL without its comment lines, as one statement to execute. */
    public String executableDdl(String table) {
        return ddl(table)
                .lines()
                .filter(l -> !l.strip().startsWith("--"))
                .collect(Collectors.joining("\n"))
                .strip();
    }

    /** The dialect of a database product name as JDBC metadata reports it, if supported. */
    public static Optional<SqlDialect> ofProduct(String productName) {
        String p = productName == null ? "" : productName.toLowerCase(Locale.ROOT);
        if (p.contains("postgresql")) {
            return Optional.of(POSTGRESQL);
        }
        if (p.equals("h2")) {
            return Optional.of(H2);
        }
        if (p.contains("mariadb") || p.contains("mysql")) {
            return Optional.of(MARIADB);
        }
        return Optional.empty();
    }

    private static long wholeSeconds(Duration d) {
        return Math.max(1, (ceilMillis(d) + 999) / 1000);
    }

    private static long ceilMillis(Duration d) {
        long millis = d.toMillis();
        return d.minusMillis(millis).isZero() ? millis : millis + 1;
    }
}
