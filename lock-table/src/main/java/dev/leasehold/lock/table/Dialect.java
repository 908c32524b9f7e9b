package dev.leasehold.lock.table;

import dev.leasehold.lock.LockConfigurationException;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.internal.Arguments;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The databases the lease table supports, each with its DDL (shipped as a class-path resource a Flyway or Liquibase
 * user can apply, with the placeholder {@code ${table}}), how it names identifiers and how it tells time. Every time in
 * the table is the database's: PostgreSQL {@code clock_timestamp()} (the real time, not the transaction's start), H2
 * {@code CURRENT_TIMESTAMP(6)}, MariaDB and MySQL {@code UTC_TIMESTAMP(6)} (their {@code DATETIME(6)} columns hold
 * UTC).
 *
 * <p>This enum is immutable and thread-safe.
 */
public enum Dialect {
    /** PostgreSQL: {@code clock_timestamp()}, {@code timestamptz}. */
    POSTGRESQL("postgresql.sql", '"', "clock_timestamp()", "FOR SHARE", "TIMESTAMPTZ"),
    /** H2 2.x: {@code CURRENT_TIMESTAMP(6)}, {@code TIMESTAMP WITH TIME ZONE}. */
    H2("h2.sql", '"', "CURRENT_TIMESTAMP(6)", "FOR UPDATE", "TIMESTAMP(6) WITH TIME ZONE"),
    /** MariaDB and MySQL: {@code UTC_TIMESTAMP(6)}, {@code DATETIME(6)} in UTC, a binary NO PAD collation. */
    MARIADB("mariadb.sql", '`', "UTC_TIMESTAMP(6)", "LOCK IN SHARE MODE", "DATETIME(6) NULL");

    /**
     * The nullable column in which waiters announce until when they wait for a release (PostgreSQL's release sends its
     * notification only while it lies ahead). Tables created before it existed lack it: start-up adds it ({@link
     * #addWakeUntil}), and a backend works without it, as before it existed.
     */
    public static final String WAKE_UNTIL = "wake_until";

    private final String resource;
    private final char quote;
    private final String now;
    private final String shareLock;
    private final String timeType;

    Dialect(String resource, char quote, String now, String shareLock, String timeType) {
        this.resource = resource;
        this.quote = quote;
        this.now = now;
        this.shareLock = shareLock;
        this.timeType = timeType;
    }

    /** The dialect of a database product name as JDBC metadata reports it, if supported. */
    public static Optional<Dialect> of(String productName) {
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

    /**
     * The dialect of the database behind a connection.
     *
     * @throws LockConfigurationException if the database is not one the lease table supports
     */
    public static Dialect of(Connection connection) throws SQLException {
        String product = connection.getMetaData().getDatabaseProductName();
        return of(product)
                .orElseThrow(() -> new LockConfigurationException(
                        "the lease table supports PostgreSQL, H2 and MariaDB/MySQL; this database is " + product));
    }

    /** Quotes a validated identifier. */
    public String quote(String identifier) {
        return quote + identifier + quote;
    }

    /**
     * The table name as SQL: {@code "schema"."prefix_distributed_locks"}, or without the schema when none is given.
     * Schema and prefix are checked as plain identifiers first.
     *
     * @throws IllegalArgumentException if the schema or prefix is not a plain identifier
     */
    public String qualifiedTable(String schema, String tablePrefix) {
        String table = quote(Arguments.tablePrefix(tablePrefix, LockSettings.TABLE_NAME) + LockSettings.TABLE_NAME);
        return schema == null ? table : quote(Arguments.schema(schema)) + "." + table;
    }

    /** The class-path resource holding this dialect's DDL, with the placeholder {@code ${table}}. */
    public String ddlResource() {
        return "/dev/leasehold/lock/table/ddl/" + resource;
    }

    /** The DDL that creates the lease table in {@code schema} (null: the connection's) with {@code tablePrefix}. */
    public String ddl(String schema, String tablePrefix) {
        return ddlFor(qualifiedTable(schema, tablePrefix));
    }

    /** The DDL that creates the lease table named {@code table} (quoted and qualified), comments included. */
    public String ddlFor(String table) {
        try (InputStream in = Dialect.class.getResourceAsStream(ddlResource())) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + ddlResource());
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("${table}", table);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The {@code CREATE TABLE} of the DDL without its comment lines, as one statement to execute. The DDL's other
     * statement, the insert of the token floor's row, is run by every backend's start-up whether it created the table
     * or not.
     */
    public String executableDdl(String table) {
        String text = ddlFor(table)
                .lines()
                .filter(l -> !l.strip().startsWith("--"))
                .collect(Collectors.joining("\n"))
                .strip();
        return text.split(";\\s*\\n", 2)[0].strip();
    }

    /**
     * The migration of a table created before {@link #WAKE_UNTIL} existed: the {@code ALTER TABLE} that adds it, with
     * the same type as in the DDL, for {@code table} (quoted and qualified). Start-up runs it with a bounded lock wait
     * ({@link dev.leasehold.lock.table.internal.LeaseStatements#addWakeUntil()}); a Flyway or Liquibase user runs it
     * as it is.
     */
    public String addWakeUntil(String table) {
        return "ALTER TABLE " + table + " ADD COLUMN " + WAKE_UNTIL + " " + timeType;
    }

    /** The type of the table's nullable time columns ({@link #WAKE_UNTIL}), as the DDL writes it. */
    public String timeType() {
        return timeType;
    }

    /** The database's current time as SQL, comparable with the table's time columns. */
    public String now() {
        return now;
    }

    /** The database's current time plus the microseconds of the parameter written as {@code param}, as SQL. */
    public String nowPlusMicros(String param) {
        return switch (this) {
            case POSTGRESQL -> "clock_timestamp() + CAST(" + param + " AS bigint) * INTERVAL '1 microsecond'";
            case H2 -> "DATEADD(MICROSECOND, CAST(" + param + " AS BIGINT), CURRENT_TIMESTAMP(6))";
            case MARIADB -> "TIMESTAMPADD(MICROSECOND, " + param + ", UTC_TIMESTAMP(6))";
        };
    }

    /** A time column or expression plus the microseconds of the parameter written as {@code param}, as SQL. */
    public String plusMicros(String time, String param) {
        return switch (this) {
            case POSTGRESQL -> time + " + CAST(" + param + " AS bigint) * INTERVAL '1 microsecond'";
            case H2 -> "DATEADD(MICROSECOND, CAST(" + param + " AS BIGINT), " + time + ")";
            case MARIADB -> "TIMESTAMPADD(MICROSECOND, " + param + ", " + time + ")";
        };
    }

    /**
     * The database's current time as whole microseconds since the epoch, as an SQL expression of type BIGINT, so that
     * no time zone of the JVM, the driver or the session touches it.
     */
    public String nowMicros() {
        return switch (this) {
            case POSTGRESQL -> "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000 AS BIGINT)";
            // EXTRACT(EPOCH …) honours the offset; DATEDIFF would count in the session's local time.
            case H2 -> "CAST(EXTRACT(EPOCH FROM CURRENT_TIMESTAMP(6)) * 1000000 AS BIGINT)";
            case MARIADB -> "TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', UTC_TIMESTAMP(6))";
        };
    }

    /** Reads one of the table's time columns as an instant. */
    public Instant instant(ResultSet rs, int column) throws SQLException {
        return this == MARIADB
                ? rs.getObject(column, LocalDateTime.class).toInstant(ZoneOffset.UTC)
                : rs.getObject(column, OffsetDateTime.class).toInstant();
    }

    /** The clause that share-locks a row for the transactional check (H2 has only an exclusive one). */
    public String shareLock() {
        return shareLock;
    }

    /** The connection's current schema (MariaDB: database), as SQL. */
    public String currentSchema() {
        return switch (this) {
            case POSTGRESQL -> "current_schema()";
            case H2 -> "CURRENT_SCHEMA";
            case MARIADB -> "DATABASE()";
        };
    }
}
