package dev.leasehold.lock.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One database the benchmark runs against: its coordinates, the run's table prefix, and the server-side figures a
 * scenario reads (WAL position, redo bytes, settings) on a monitoring connection of its own.
 *
 * <p>This class is thread-safe.
 */
final class Database {

    private final DbKind kind;
    private final String url;
    private final String user;
    private final String password;
    private final String prefix;

    Database(DbKind kind, String url, String user, String password, String prefix) {
        this.kind = kind;
        this.url = url;
        this.user = user;
        this.password = password;
        this.prefix = prefix;
    }

    DbKind kind() {
        return kind;
    }

    /** The run's table prefix, such as {@code bench_3fa94c1e_}; every table the run creates starts with it. */
    String prefix() {
        return prefix;
    }

    /** A new simulated application process: a pool of its own over a counting DataSource. */
    Proc newProc(String name) {
        return new Proc(this, name, new CountingDataSource(url, user, password));
    }

    /** A connection outside every pool, for set-up and monitoring. */
    Connection connect() throws SQLException {
        return DriverManager.getConnection(url, user, password);
    }

    /** Runs statements on a connection of its own. */
    void execute(String... statements) throws SQLException {
        try (Connection c = connect();
                Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    /** The current WAL position in bytes (PostgreSQL), the redo bytes written so far (MariaDB), or -1 (H2). */
    long logPosition(Connection c) throws SQLException {
        String sql = switch (kind) {
            case POSTGRESQL -> "SELECT pg_current_wal_lsn() - '0/0'::pg_lsn";
            case MARIADB ->
                "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS"
                        + " WHERE VARIABLE_NAME = 'INNODB_OS_LOG_WRITTEN'";
            case H2 -> null;
        };
        if (sql == null) {
            return -1;
        }
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : -1;
        }
    }

    /** What the log position counts, for the report. */
    String logName() {
        return switch (kind) {
            case POSTGRESQL -> "WAL bytes (pg_current_wal_lsn delta, server-wide)";
            case MARIADB -> "redo bytes (Innodb_os_log_written delta, server-wide)";
            case H2 -> "no log figure";
        };
    }

    /** The server's version and the settings that decide commit cost, for the report. */
    Map<String, String> describe() {
        Map<String, String> facts = new LinkedHashMap<>();
        try (Connection c = connect()) {
            facts.put(
                    "server",
                    c.getMetaData().getDatabaseProductName() + " "
                            + c.getMetaData().getDatabaseProductVersion());
            facts.put(
                    "driver",
                    c.getMetaData().getDriverName() + " " + c.getMetaData().getDriverVersion());
            List<String> settings = switch (kind) {
                case POSTGRESQL ->
                    List.of(
                            "SHOW fsync",
                            "SHOW synchronous_commit",
                            "SHOW wal_sync_method",
                            "SHOW commit_delay",
                            "SHOW shared_buffers",
                            "SHOW max_connections");
                case MARIADB ->
                    List.of(
                            "SELECT @@innodb_flush_log_at_trx_commit",
                            "SELECT @@innodb_flush_method",
                            "SELECT @@sync_binlog",
                            "SELECT @@log_bin",
                            "SELECT @@innodb_buffer_pool_size");
                case H2 -> List.of();
            };
            for (String sql : settings) {
                try (Statement s = c.createStatement();
                        ResultSet rs = s.executeQuery(sql)) {
                    if (rs.next()) {
                        facts.put(sql.replaceFirst("^(SHOW|SELECT) @*@*", ""), rs.getString(1));
                    }
                }
            }
        } catch (SQLException e) {
            facts.put("error", e.getMessage());
        }
        facts.put("url", url.replaceAll("(?i)(password=)[^&;]*", "$1***"));
        return facts;
    }

    /** Drops every table of the current schema whose name starts with the run's prefix. */
    void dropRunTables() throws SQLException {
        String list = switch (kind) {
            case POSTGRESQL -> "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = current_schema()";
            case MARIADB -> "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()";
            case H2 -> "SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = CURRENT_SCHEMA";
        };
        try (Connection c = connect()) {
            List<String> tables = new ArrayList<>();
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery(list)) {
                while (rs.next()) {
                    String table = rs.getString(1);
                    if (table.toLowerCase(Locale.ROOT).startsWith(prefix)) {
                        tables.add(table);
                    }
                }
            }
            for (String table : tables) {
                try (Statement s = c.createStatement()) {
                    s.execute("DROP TABLE " + quote(table));
                }
            }
        }
    }

    private String quote(String identifier) {
        return kind == DbKind.MARIADB ? "`" + identifier + "`" : "\"" + identifier + "\"";
    }

    @Override
    public String toString() {
        return kind.displayName();
    }
}
