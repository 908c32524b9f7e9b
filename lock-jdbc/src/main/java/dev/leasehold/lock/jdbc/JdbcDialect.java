package dev.leasehold.lock.jdbc;

import dev.leasehold.lock.LockConfigurationException;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.internal.Arguments;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Optional;
import javax.sql.DataSource;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The databases the lease table supports, each with its DDL (shipped as a class-path resource a Flyway or Liquibase
 * user can apply, with the placeholder {@code ${table}}) and how it names identifiers and tells time.
 *
 * <p>This enum is immutable and thread-safe.
 */
public enum JdbcDialect {
    /** PostgreSQL: {@code clock_timestamp()}, {@code timestamptz}, one statement per operation. */
    POSTGRESQL("postgresql.sql", '"'),
    /** H2 2.x: {@code CURRENT_TIMESTAMP(6)}, {@code TIMESTAMP WITH TIME ZONE}. */
    H2("h2.sql", '"'),
    /** MariaDB and MySQL: {@code UTC_TIMESTAMP(6)}, {@code DATETIME(6)} in UTC, a binary NO PAD collation. */
    MARIADB("mariadb.sql", '`');

    private final String resource;
    private final char quote;

    JdbcDialect(String resource, char quote) {
        this.resource = resource;
        this.quote = quote;
    }

    /** The class-path resource holding this dialect's DDL, with the placeholder {@code ${table}}. */
    public String ddlResource() {
        return "/dev/leasehold/lock/jdbc/ddl/" + resource;
    }

    /** The dialect of a database product name as JDBC metadata reports it, if supported. */
    public static Optional<JdbcDialect> of(String productName) {
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
    public static JdbcDialect of(Connection connection) throws SQLException {
        String product = connection.getMetaData().getDatabaseProductName();
        return of(product)
                .orElseThrow(() -> new LockConfigurationException("the jdbc backend supports PostgreSQL, H2 and"
                        + " MariaDB/MySQL; this DataSource is " + product));
    }

    /**
     * The database product behind the settings' Jdbi or DataSource (a Jdbi wins), read from one connection's metadata;
     * empty when the settings carry neither. For a provider's {@code supports}.
     *
     * @throws SQLException if the database cannot be reached
     */
    public static Optional<String> productName(LockSettings settings) throws SQLException {
        Optional<Jdbi> jdbi = settings.resource(Jdbi.class);
        if (jdbi.isPresent()) {
            try (Handle h = jdbi.get().open()) {
                return Optional.of(h.getConnection().getMetaData().getDatabaseProductName());
            }
        }
        Optional<DataSource> dataSource = settings.dataSource();
        if (dataSource.isEmpty()) {
            return Optional.empty();
        }
        try (Connection c = dataSource.get().getConnection()) {
            return Optional.of(c.getMetaData().getDatabaseProductName());
        }
    }

    /** Quotes a validated identifier. */
    public String quote(String identifier) {
        return quote + identifier + quote;
    }

    /**
     * The table name as SQL: {@code "schema"."prefix_distributed_locks"}, or without the schema when none is given.
     * Schema and prefix are checked as plain identifiers first.
     */
    public String qualifiedTable(String schema, String tablePrefix) {
        String table = quote(Arguments.tablePrefix(tablePrefix, LockSettings.TABLE_NAME) + LockSettings.TABLE_NAME);
        return schema == null ? table : quote(Arguments.schema(schema)) + "." + table;
    }

    /** The DDL that creates the lease table in {@code schema} (null: the connection's) with {@code tablePrefix}. */
    public String ddl(String schema, String tablePrefix) {
        return template().replace("${table}", qualifiedTable(schema, tablePrefix));
    }

    private String template() {
        try (InputStream in = JdbcDialect.class.getResourceAsStream(ddlResource())) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + ddlResource());
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
