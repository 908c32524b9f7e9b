package dev.leasehold.lock.cli;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.leasehold.lock.LockConfigurationException;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.Locks;
import dev.leasehold.lock.RetryOptions;
import dev.leasehold.lock.jdbc.JdbcLockManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * Where the locks live: a JDBC URL, or by default an H2 database file under {@code ~/.leasehold} that several
 * processes on this machine share (H2's auto-server mode: the first process serves it to the others).
 *
 * <p>This class is not thread-safe; each command uses its own.
 */
final class StoreOptions {

    /** The environment variable holding the default JDBC URL. */
    static final String URL_VARIABLE = "LEASEHOLD_URL";

    /** The environment variable that moves the embedded database's directory (default {@code ~/.leasehold}). */
    static final String HOME_VARIABLE = "LEASEHOLD_HOME";

    @Option(
            names = "--url",
            paramLabel = "JDBC_URL",
            description = "Where the locks live (PostgreSQL, MariaDB/MySQL or H2). Default: $LEASEHOLD_URL, else an H2"
                    + " file under ~/.leasehold shared by the processes of this machine.")
    String url;

    @Option(names = "--user", description = "Database user.")
    String user;

    @Option(names = "--password", description = "Database password. Default: $LEASEHOLD_PASSWORD.")
    String password;

    @Option(names = "--schema", description = "Schema of the lock table. Default: the connection's.")
    String schema;

    @Option(
            names = "--table-prefix",
            defaultValue = "",
            description = "Prefix of the lock table's name (distributed_locks).")
    String tablePrefix;

    @Option(
            names = "--backend",
            paramLabel = "jdbc|advisory",
            defaultValue = "jdbc",
            description = "The backend: jdbc (the lease table, default) or advisory (PostgreSQL only).")
    String backend;

    @Option(names = "--verbose", description = "Show stack traces of errors, and progress.")
    boolean verbose;

    private HikariDataSource pool;

    /** The URL in use: the option, the environment, or the embedded default. */
    String resolvedUrl() {
        if (url != null && !url.isBlank()) {
            return url;
        }
        String env = System.getenv(URL_VARIABLE);
        if (env != null && !env.isBlank()) {
            return env;
        }
        return embeddedUrl();
    }

    /** The embedded default: an H2 file database in auto-server mode. */
    static String embeddedUrl() {
        String home = System.getenv(HOME_VARIABLE);
        Path dir = home != null && !home.isBlank()
                ? Path.of(home)
                : Path.of(System.getProperty("user.home"), ".leasehold");
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot create " + dir + " for the embedded lock database: " + e);
        }
        return embeddedUrl(dir);
    }

    /**
     * The embedded database in {@code dir}: H2 in auto-server mode (the first process opens the file and serves it to
     * the others) with auto-reconnect (when that process exits, another takes over and connections reconnect).
     */
    static String embeddedUrl(Path dir) {
        return "jdbc:h2:file:" + dir.toAbsolutePath().resolve("locks") + ";AUTO_SERVER=TRUE;AUTO_RECONNECT=TRUE";
    }

    /** A short description of where the locks live, for messages. */
    String describe() {
        String u = resolvedUrl();
        if (u.startsWith("jdbc:h2:file:")) {
            String path = u.substring("jdbc:h2:file:".length());
            int options = path.indexOf(';');
            return "the embedded store " + (options < 0 ? path : path.substring(0, options));
        }
        return u;
    }

    private HikariDataSource pool() {
        if (pool == null) {
            HikariConfig config = new HikariConfig();
            String u = resolvedUrl();
            boolean embedded = u.startsWith("jdbc:h2:file:") && u.contains("AUTO_SERVER=TRUE");
            if (embedded) {
                String file = u.substring("jdbc:h2:file:".length(), u.indexOf(';'));
                config.setDataSource(new SerializedOpenDataSource(u, Path.of(file + ".open")));
            } else {
                config.setJdbcUrl(u);
            }
            if (user != null) {
                config.setUsername(user);
            }
            String pw = password != null ? password : System.getenv("LEASEHOLD_PASSWORD");
            if (pw != null) {
                config.setPassword(pw);
            }
            config.setMaximumPoolSize(4);
            config.setMinimumIdle(0);
            config.setPoolName("leasehold-cli");
            config.setConnectionTimeout(embedded ? 15_000 : 5_000);
            config.setInitializationFailTimeout(embedded ? 15_000 : 1);
            try {
                pool = new HikariDataSource(config);
            } catch (RuntimeException e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                String state = cause instanceof java.sql.SQLException sql && sql.getSQLState() != null
                        ? " (SQLState " + sql.getSQLState() + ")"
                        : "";
                throw new LockConfigurationException(
                        "cannot connect to " + describe() + ": " + cause.getMessage() + state, e);
            }
        }
        return pool;
    }

    /** Settings over this store: table prefix and schema. */
    LockSettings.Builder settings() {
        LockSettings.Builder b = LockSettings.builder().tablePrefix(tablePrefix);
        if (schema != null) {
            b.schema(schema);
        }
        return b;
    }

    /** A manager of the chosen backend with this lease time, waiting policy and owner id. */
    LockManager manager(Duration leaseTime, RetryOptions retry, String ownerId) {
        Locks.Builder b = Locks.builder()
                .dataSource(pool())
                .backend(backend)
                .leaseTime(leaseTime)
                .retry(retry)
                .tablePrefix(tablePrefix);
        if (schema != null) {
            b.schema(schema);
        }
        if (ownerId != null) {
            b.ownerId(ownerId);
        }
        return b.build();
    }

    /** A lease-table manager for administration (list, inspect, release): every backend keeps its rows there. */
    JdbcLockManager admin() {
        return JdbcLockManager.create(pool(), settings().build());
    }

    /** Closes the connections. */
    void close() {
        if (pool != null) {
            pool.close();
        }
    }
}
