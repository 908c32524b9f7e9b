package dev.leasehold.lock.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * A database found for tests by {@link TestDatabases} (or one of a test's own: {@link OwnedPostgres#database()}, {@link
 * OwnedPgBouncer#database()}): its JDBC coordinates, a shared connection pool, {@link #newPool named pools} whose
 * sessions can be ended from the server side, fresh table prefixes so that test classes sharing one database never
 * meet, and a clean-up of the tables that carry a prefix.
 *
 * <p>For {@link DatabaseKind#MARIADB} the {@link #jdbcUrl()} always carries {@code useAffectedRows=true}: the backend
 * relies on an {@code UPDATE}'s count being the rows it changed.
 *
 * <p>This class is thread-safe.
 */
public final class TestDatabase {

    /** The most connections of the {@link #dataSource() shared pool}. */
    public static final int SHARED_POOL_SIZE = 20;

    /** The longest identifier PostgreSQL keeps, in bytes; the others allow more. */
    static final int MAX_IDENTIFIER_BYTES = 63;

    /** The table name a prefix is put before; a prefix leaves room for it within {@link #MAX_IDENTIFIER_BYTES}. */
    static final String LOCK_TABLE = "distributed_locks";

    private static final int MAX_PREFIX_LENGTH = MAX_IDENTIFIER_BYTES - LOCK_TABLE.length();
    private static final int RANDOM_DIGITS = 8;
    private static final int MAX_HINT_LENGTH = MAX_PREFIX_LENGTH - "t_".length() - "_".length() - RANDOM_DIGITS - 1;
    private static final Pattern VALID_PREFIX = Pattern.compile("[a-z0-9_]+");
    private static final Pattern VERSION = Pattern.compile("\\d+(\\.\\d+)*");
    private static final Pattern PASSWORD_IN_URL = Pattern.compile("(?i)(password=)[^&;]*");
    private static final Set<String> ISSUED_PREFIXES = ConcurrentHashMap.newKeySet();

    private final DatabaseKind kind;
    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final String source;
    private final TestPool.Waits waits;
    private final ServerSessions sessions;

    private TestPool shared; // guarded by this
    private boolean closed; // guarded by this
    private volatile String description;

    /** A database on a server that stays up, whose pools' sessions are found and ended on it. */
    TestDatabase(DatabaseKind kind, String jdbcUrl, String user, String password, String source) {
        this(kind, jdbcUrl, user, password, source, TestPool.Waits.SERVER_STAYS_UP, null);
    }

    /**
     * A database whose pools wait as {@code waits} says, and whose pools' sessions {@code sessions} finds and ends
     * (null: on this database itself).
     */
    TestDatabase(
            DatabaseKind kind,
            String jdbcUrl,
            String user,
            String password,
            String source,
            TestPool.Waits waits,
            ServerSessions sessions) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.jdbcUrl = Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        this.user = user;
        this.password = password;
        this.source = Objects.requireNonNull(source, "source");
        this.waits = Objects.requireNonNull(waits, "waits");
        this.sessions = sessions != null ? sessions : ServerSessions.direct(this);
    }

    /** The kind of database. */
    public DatabaseKind kind() {
        return kind;
    }

    /** The JDBC URL; for MariaDB it carries {@code useAffectedRows=true}. */
    public String jdbcUrl() {
        return jdbcUrl;
    }

    /** The user, or {@code null} when the URL came from the environment without a {@code _USER} variable. */
    public String user() {
        return user;
    }

    /** The password, or {@code null} when the URL came from the environment without a {@code _PASSWORD} variable. */
    public String password() {
        return password;
    }

    /**
     * How the database was found: {@code "env LEASEHOLD_TEST_PG_URL"}, {@code "env LEASEHOLD_TEST_MARIADB_URL"},
     * {@code "testcontainers"}, {@code "local 127.0.0.1:5432"}, {@code "embedded (zonky)"} or {@code "in-memory"}.
     */
    public String source() {
        return source;
    }

    /**
     * The pool every test of this JVM shares: a {@link #newPool} of at most {@value #SHARED_POOL_SIZE} connections,
     * opened on demand. Do not close it: it is closed when the JVM exits (for a database of a test's own, with it).
     */
    public DataSource dataSource() {
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("the shared pool of " + this + " is closed: the JVM is exiting");
            }
            if (shared == null) {
                shared = newPool("leasehold-shared", SHARED_POOL_SIZE);
            }
            return shared;
        }
    }

    /**
     * A new HikariCP pool of at most {@code size} connections over this database, opened on demand, none kept idle
     * beyond those used, whose sessions {@link TestPool#endSessions()} can end from the server side. It is named
     * {@code <name>-<pid>-<n>} ({@link TestPool#name()}), also as {@code application_name} on PostgreSQL. Its waits are
     * bounded as the server needs: over a server tests restart ({@link OwnedPostgres}), {@code getConnection} fails
     * after 1 s while it is down, a connection attempt after 2 s and a silent read after 10 s; elsewhere HikariCP's and
     * the driver's defaults apply. The caller closes it.
     *
     * @param name what the pool is for, such as {@code tck} or {@code holder}: 1 to {@value TestPool#MAX_NAME_LENGTH}
     *     letters, digits, {@code .}, {@code _} or {@code -}
     * @param size the most connections, at least 1
     * @throws IllegalArgumentException if {@code name} or {@code size} is not as described
     */
    public TestPool newPool(String name, int size) {
        return TestPool.create(this, name, size, waits);
    }

    /**
     * A new connection to this database outside any pool, with short connect timeouts (PostgreSQL 5 s to connect, 10 s
     * to log in; MariaDB 5 s) and no other setting. The caller closes it.
     */
    public Connection connect() throws SQLException {
        return DatabaseResolver.connect(kind, jdbcUrl, user, password);
    }

    /**
     * A table prefix no other call in this JVM returned, such as {@code t_fencing_rules_3fa94c1e_}: {@code t_}, the
     * hint in lower case with every run of other characters than letters and digits made one {@code _} (cut to leave
     * room), eight random hex digits and {@code _}. It holds only {@code [a-z0-9_]}, starts with a letter, and leaves
     * room for {@code distributed_locks} within PostgreSQL's 63-byte identifiers.
     *
     * @param hint a few words saying whose tables they are, such as the test class's simple name; may be empty
     */
    public String uniquePrefix(String hint) {
        String cleaned = hint == null ? "" : hint.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
        cleaned = trimUnderscores(cleaned);
        if (cleaned.length() > MAX_HINT_LENGTH) {
            cleaned = trimUnderscores(cleaned.substring(0, MAX_HINT_LENGTH));
        }
        String stem = cleaned.isEmpty() ? "t_" : "t_" + cleaned + "_";
        while (true) {
            String prefix = stem + DatabaseResolver.randomHex(RANDOM_DIGITS) + "_";
            if (ISSUED_PREFIXES.add(prefix)) {
                return prefix;
            }
        }
    }

    /**
     * Drops every table of the current schema (for MariaDB, the current database) whose name starts with
     * {@code prefix}, found through the catalog ({@code pg_catalog.pg_tables}, {@code information_schema.tables}). Names
     * are compared without regard to case, since H2 keeps unquoted names in upper case; they are quoted in the
     * {@code DROP}. PostgreSQL and H2 drop with {@code CASCADE}; MariaDB with foreign key checks off for the session.
     * Uses a connection of its own, not the shared pool.
     *
     * @param prefix the prefix, of {@code [a-z0-9_]} only, such as one from {@link #uniquePrefix(String)}
     * @throws IllegalArgumentException if the prefix is empty or has other characters
     * @throws IllegalStateException if the database refuses
     */
    public void dropTablesWithPrefix(String prefix) {
        if (prefix == null || !VALID_PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException(
                    "prefix is " + (prefix == null ? "null" : '"' + prefix + '"') + "; it must match [a-z0-9_]+");
        }
        try (Connection connection = connect()) {
            String schema = currentSchema(connection);
            List<String> tables = tablesWithPrefix(connection, schema, prefix);
            try (Statement statement = connection.createStatement()) {
                if (kind == DatabaseKind.MARIADB && !tables.isEmpty()) {
                    statement.execute("SET FOREIGN_KEY_CHECKS = 0");
                }
                for (String table : tables) {
                    statement.execute("DROP TABLE IF EXISTS " + quote(schema) + "." + quote(table)
                            + (kind == DatabaseKind.MARIADB ? "" : " CASCADE"));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "could not drop the tables with prefix " + prefix + " in " + this + ": " + e.getMessage(), e);
        }
    }

    /**
     * Locks the lease row of {@code lockName} in the lease table with {@code tablePrefix} ({@code SELECT … FOR
     * UPDATE}) in a transaction of its own, on a connection of its own, as an administrator's open {@code UPDATE}
     * would; closing the returned handle rolls that transaction back and closes the connection.
     *
     * @throws IllegalArgumentException if the prefix is not of {@code [a-z0-9_]}
     * @throws IllegalStateException if the row does not exist or the database refuses
     */
    public AutoCloseable lockLeaseRow(String tablePrefix, String lockName) {
        if (tablePrefix == null
                || !(tablePrefix.isEmpty() || VALID_PREFIX.matcher(tablePrefix).matches())) {
            throw new IllegalArgumentException("tablePrefix is " + tablePrefix + "; it must match [a-z0-9_]*");
        }
        String table = quote(tablePrefix + "distributed_locks");
        Connection connection = null;
        try {
            connection = connect();
            connection.setAutoCommit(false);
            try (PreparedStatement ps =
                    connection.prepareStatement("SELECT lock_name FROM " + table + " WHERE lock_name = ? FOR UPDATE")) {
                ps.setString(1, lockName);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new IllegalStateException("lock '" + lockName + "' has no row in " + table);
                    }
                }
            }
            Connection locked = connection;
            return () -> {
                try (locked) {
                    locked.rollback();
                }
            };
        } catch (SQLException | RuntimeException e) {
            if (connection != null) {
                try {
                    connection.close();
                } catch (SQLException closing) {
                    e.addSuppressed(closing);
                }
            }
            throw new IllegalStateException("could not lock the row of '" + lockName + "' in " + table, e);
        }
    }

    /**
     * Says what this database is, such as
     * {@code PostgreSQL 15.19 via local 127.0.0.1:5432 (jdbc:postgresql://127.0.0.1:5432/test)}. The first call asks
     * the database for its version; a password in the URL is masked.
     */
    public String describe() {
        String text = description;
        if (text != null) {
            return text;
        }
        String version;
        try (Connection connection = connect()) {
            String product = connection.getMetaData().getDatabaseProductVersion();
            Matcher matcher = VERSION.matcher(product);
            version = matcher.find() ? matcher.group() : product;
        } catch (SQLException | RuntimeException e) {
            return kind.displayName() + " (version unknown: " + e.getMessage() + ") via " + source + " (" + maskedUrl()
                    + ")";
        }
        text = kind.displayName() + " " + version + " via " + source + " (" + maskedUrl() + ")";
        description = text;
        return text;
    }

    /** The kind, source and URL, without asking the database. */
    @Override
    public String toString() {
        return kind.displayName() + " via " + source + " (" + maskedUrl() + ")";
    }

    /** Closes the shared pool; called once, when the JVM exits or the database of a test's own is closed. */
    void closeSharedPool() {
        TestPool pool;
        synchronized (this) {
            closed = true;
            pool = shared;
            shared = null;
        }
        if (pool != null) {
            pool.close();
        }
    }

    /** How the sessions of this database's pools are found and ended. */
    ServerSessions sessions() {
        return sessions;
    }

    private String currentSchema(Connection connection) throws SQLException {
        String query = switch (kind) {
            case POSTGRESQL -> "SELECT current_schema()";
            case MARIADB -> "SELECT DATABASE()";
            case H2 -> "SELECT CURRENT_SCHEMA";
        };
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(query)) {
            String schema = rows.next() ? rows.getString(1) : null;
            if (schema == null) {
                throw new SQLException("no current schema (for MariaDB: no database in the URL)");
            }
            return schema;
        }
    }

    private List<String> tablesWithPrefix(Connection connection, String schema, String prefix) throws SQLException {
        String query = switch (kind) {
            case POSTGRESQL ->
                "SELECT tablename FROM pg_catalog.pg_tables"
                        + " WHERE schemaname = ? AND lower(tablename) LIKE ? ESCAPE '!'";
            case MARIADB ->
                "SELECT table_name FROM information_schema.tables"
                        + " WHERE table_schema = ? AND table_type = 'BASE TABLE' AND lower(table_name) LIKE ? ESCAPE '!'";
            case H2 ->
                "SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES"
                        + " WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' AND LOWER(TABLE_NAME) LIKE ? ESCAPE '!'";
        };
        List<String> tables = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(query)) {
            statement.setString(1, schema);
            statement.setString(2, prefix.replace("_", "!_") + "%");
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    String table = rows.getString(1);
                    // The LIKE narrows the catalog; this check decides.
                    if (table.toLowerCase(Locale.ROOT).startsWith(prefix)) {
                        tables.add(table);
                    }
                }
            }
        }
        return tables;
    }

    private String quote(String identifier) {
        return kind == DatabaseKind.MARIADB
                ? '`' + identifier.replace("`", "``") + '`'
                : '"' + identifier.replace("\"", "\"\"") + '"';
    }

    private String maskedUrl() {
        return PASSWORD_IN_URL.matcher(jdbcUrl).replaceAll("$1***");
    }

    private static String trimUnderscores(String text) {
        int start = 0;
        int end = text.length();
        while (start < end && text.charAt(start) == '_') {
            start++;
        }
        while (end > start && text.charAt(end - 1) == '_') {
            end--;
        }
        return text.substring(start, end);
    }
}
