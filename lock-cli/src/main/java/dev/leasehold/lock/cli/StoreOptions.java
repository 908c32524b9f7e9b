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
import javax.sql.DataSource;
import picocli.CommandLine.Option;

/**
 * Where the locks live: a JDBC URL, or by default an H2 database file under {@code ~/.leasehold} that the processes of
 * this machine take turns to own, one short operation at a time ({@link TurnTakingDataSource}).
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
                    + " file under ~/.leasehold that the processes of this machine take turns to use.")
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
    private DataSource dataSource;

    /** The URL given with --url or $LEASEHOLD_URL, or null for the embedded store. */
    private String givenUrl() {
        if (url != null && !url.isBlank()) {
            return url;
        }
        String env = System.getenv(URL_VARIABLE);
        return env != null && !env.isBlank() ? env : null;
    }

    /** The embedded store's directory: $LEASEHOLD_HOME, else ~/.leasehold. */
    static Path embeddedDirectory() {
        String home = System.getenv(HOME_VARIABLE);
        Path dir = home != null && !home.isBlank()
                ? Path.of(home)
                : Path.of(System.getProperty("user.home"), ".leasehold");
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new LockConfigurationException("cannot create " + dir + " for the embedded lock store: " + e, e);
        }
        return dir;
    }

    /** The embedded store in {@code dir}: an H2 file that the processes of this machine take turns to own. */
    static TurnTakingDataSource embedded(Path dir) {
        return new TurnTakingDataSource(dir.resolve("locks"));
    }

    /** A short description of where the locks live, for messages. */
    String describe() {
        String u = givenUrl();
        return u != null ? u : "the embedded store " + embeddedDirectory().resolve("locks");
    }

    private DataSource dataSource() {
        if (dataSource != null) {
            return dataSource;
        }
        String u = givenUrl();
        if (u == null) {
            dataSource = embedded(embeddedDirectory());
            return dataSource;
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(u);
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
        config.setConnectionTimeout(5_000);
        config.setInitializationFailTimeout(1);
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
        dataSource = pool;
        return dataSource;
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
                .dataSource(dataSource())
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
        return JdbcLockManager.create(dataSource(), settings().build());
    }

    /** Closes the connections. */
    void close() {
        if (pool != null) {
            pool.close();
        }
    }
}
