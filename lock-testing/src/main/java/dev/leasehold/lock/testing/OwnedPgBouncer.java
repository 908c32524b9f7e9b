package dev.leasehold.lock.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A private PgBouncer in front of a PostgreSQL test database, for tests of what Leasehold does behind a pooler: a
 * {@code pgbouncer} process of its own on a free loopback port, with its configuration, pid file and log in a
 * temporary directory, stopped and deleted by {@link #close()} (or when the JVM exits).
 *
 * <p>Clients log in without a password ({@code auth_type = trust}, the user listed in an {@code auth_file}); PgBouncer
 * logs in to PostgreSQL as the upstream database's user, who may also use PgBouncer's admin console ({@link
 * #serverPids()}). The pools of its {@link #database()} end their sessions ({@link TestPool#endSessions()}) by ending
 * every server connection of the PgBouncer on the PostgreSQL behind it. Its pool is small ({@value #SERVER_POOL_SIZE} server
 * connections), so that it never takes much of a shared server, and a client waits at most
 * {@value #QUERY_WAIT_SECONDS} s for one, so that nothing hangs.
 *
 * <p>The {@link #jdbcUrl()} carries {@code prepareThreshold=0}: PgBouncer before 1.21 does not keep protocol-level
 * prepared statements in transaction mode, so pgjdbc must not use named server-side statements through it.
 *
 * <p>PgBouncer refuses to run as root; a JVM running as root starts it as the user {@value #RUN_AS} through {@code
 * runuser}. When no {@code pgbouncer} binary is found, {@link #start} aborts the test with the reason, or fails it when
 * {@code LEASEHOLD_TEST_REQUIRE_DB=true}, as a missing database does.
 *
 * <p>This class is thread-safe.
 */
public final class OwnedPgBouncer implements AutoCloseable {

    /** How PgBouncer gives server connections to clients ({@code pool_mode}). */
    public enum PoolMode {
        /** A server connection per client connection, for as long as the client stays connected. */
        SESSION,
        /** A server connection per transaction: between transactions it serves other clients. */
        TRANSACTION;

        String setting() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The most server connections to the upstream database. */
    public static final int SERVER_POOL_SIZE = 16;

    /** How long a client waits for a server connection before PgBouncer gives up. */
    public static final int QUERY_WAIT_SECONDS = 30;

    /** The user PgBouncer runs as when the JVM runs as root. */
    public static final String RUN_AS = "postgres";

    private static final Pattern PG_URL = Pattern.compile("jdbc:postgresql://([^/:?,]+)(?::(\\d+))?/([^?]+)(\\?.*)?");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
    private static final int PORT_ATTEMPTS = 3;

    private final PoolMode mode;
    private final Path directory;
    private final Process process;
    private final int port;
    private final TestDatabase database;
    private final Thread shutdownHook;
    private boolean closed; // guarded by this

    private OwnedPgBouncer(
            PoolMode mode, Path directory, Process process, int port, TestDatabase upstream, String dbname) {
        this.mode = mode;
        this.directory = directory;
        this.process = process;
        this.port = port;
        String user = upstream.user() != null ? upstream.user() : "postgres";
        String password = upstream.password() != null ? upstream.password() : "";
        // Its pools' sessions are PgBouncer's server connections, ended on the PostgreSQL behind it.
        this.database = new TestDatabase(
                DatabaseKind.POSTGRESQL,
                "jdbc:postgresql://127.0.0.1:" + port + "/" + dbname + "?prepareThreshold=0",
                user,
                password,
                "pgbouncer pool_mode=" + mode.setting() + " on 127.0.0.1:" + port + " in front of " + upstream.source(),
                TestPool.Waits.SERVER_STAYS_UP,
                ServerSessions.behindPgBouncer(
                        upstream,
                        () -> serverPids().stream().map(Integer::longValue).toList()));
        this.shutdownHook = new Thread(this::stop, "leasehold-pgbouncer-" + port + "-shutdown");
    }

    /**
     * Starts a PgBouncer in {@code pool_mode=transaction} in front of the PostgreSQL test database ({@link
     * TestDatabases#get}).
     */
    public static OwnedPgBouncer startInTransactionMode() {
        return start(TestDatabases.get(DatabaseKind.POSTGRESQL), PoolMode.TRANSACTION);
    }

    /**
     * Starts a PgBouncer in front of {@code upstream} and waits until it answers a query.
     *
     * @param upstream a PostgreSQL database whose URL names host, port and database
     * @param mode the pool mode
     * @throws IllegalArgumentException if {@code upstream} is not PostgreSQL or its URL is not of that form
     * @throws IllegalStateException if PgBouncer is found but does not start; the message carries its log
     */
    public static OwnedPgBouncer start(TestDatabase upstream, PoolMode mode) {
        Objects.requireNonNull(upstream, "upstream");
        Objects.requireNonNull(mode, "mode");
        if (upstream.kind() != DatabaseKind.POSTGRESQL) {
            throw new IllegalArgumentException("upstream is " + upstream + "; PgBouncer needs PostgreSQL");
        }
        Matcher url = PG_URL.matcher(upstream.jdbcUrl());
        if (!url.matches()) {
            throw new IllegalArgumentException("upstream is " + upstream
                    + "; its URL must name one host, an optional port and a database (jdbc:postgresql://host:port/db)");
        }
        Optional<Path> binary = LocalMachine.find("pgbouncer");
        if (binary.isEmpty()) {
            return LocalMachine.unavailable("no pgbouncer binary on the PATH or in " + LocalMachine.systemDirs()
                    + ": install PgBouncer (Debian: apt-get install pgbouncer; .ci/run does)");
        }
        String dbname = url.group(3);
        Path directory = null;
        try {
            directory = Files.createTempDirectory("leasehold-pgbouncer-");
            boolean root = LocalMachine.isRoot(directory);
            Optional<Path> runuser = root ? LocalMachine.find("runuser") : Optional.empty();
            if (root && runuser.isEmpty()) {
                LocalMachine.deleteQuietly(directory);
                return LocalMachine.unavailable(
                        "the JVM runs as root, which PgBouncer refuses, and there is no runuser to start it as "
                                + RUN_AS);
            }
            PgBouncerConfig upstreamConfig = PgBouncerConfig.of(upstream, url.group(1), url.group(2), dbname);
            IllegalStateException failure = null;
            for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
                int port = LocalMachine.freeLoopbackPort();
                Path config = upstreamConfig.write(directory, mode, port);
                if (root) {
                    LocalMachine.giveTo(directory, RUN_AS);
                }
                List<String> command = new ArrayList<>();
                runuser.ifPresent(r -> command.addAll(List.of(r.toString(), "-u", RUN_AS, "--")));
                command.add(binary.get().toString());
                command.add(config.toString());
                Path log = directory.resolve("pgbouncer.log");
                Process process = new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                        .start();
                OwnedPgBouncer bouncer = new OwnedPgBouncer(mode, directory, process, port, upstream, dbname);
                try {
                    bouncer.awaitReady();
                    Runtime.getRuntime().addShutdownHook(bouncer.shutdownHook);
                    return bouncer;
                } catch (IllegalStateException e) {
                    String text = bouncer.log();
                    bouncer.stopProcess();
                    failure = e;
                    if (!text.contains("in use")) {
                        break; // not a port taken between our probe and PgBouncer's bind: do not retry
                    }
                }
            }
            throw failure;
        } catch (IOException e) {
            LocalMachine.deleteQuietly(directory);
            throw new UncheckedIOException("cannot start pgbouncer in " + directory, e);
        } catch (RuntimeException e) {
            LocalMachine.deleteQuietly(directory);
            throw e;
        }
    }

    /** The pool mode. */
    public PoolMode mode() {
        return mode;
    }

    /** The port PgBouncer listens on, on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** The JDBC URL of the database through PgBouncer, with {@code prepareThreshold=0}. */
    public String jdbcUrl() {
        return database.jdbcUrl();
    }

    /**
     * The database through PgBouncer, as a {@link TestDatabase} of kind PostgreSQL: its URL, user and password, a
     * shared pool (closed by {@link #close()}), and table clean-up and row locks through PgBouncer.
     */
    public TestDatabase database() {
        return database;
    }

    /**
     * The backend pids of PgBouncer's server connections right now, from its admin console ({@code SHOW SERVERS}, run
     * with {@code psql}: pgjdbc cannot talk to the admin console, which refuses the {@code SET} pgjdbc sends on login).
     * In transaction mode a client has no server connection of its own between transactions; these are every server
     * connection its transactions may run on.
     *
     * @throws UnsupportedOperationException if there is no {@code psql} to ask with
     * @throws IllegalStateException if the admin console does not answer
     */
    public List<Integer> serverPids() {
        Path psql = LocalMachine.find("psql")
                .orElseThrow(() -> new UnsupportedOperationException(
                        "there is no psql to ask PgBouncer's admin console for its server connections"));
        ProcessBuilder builder = new ProcessBuilder(
                        psql.toString(),
                        "-X",
                        "-h",
                        "127.0.0.1",
                        "-p",
                        Integer.toString(port),
                        "-U",
                        database.user(),
                        "-d",
                        "pgbouncer",
                        "-A",
                        "-F",
                        "\t",
                        "-P",
                        "footer=off",
                        "-c",
                        "SHOW SERVERS")
                .redirectErrorStream(true);
        builder.environment().put("PGCONNECT_TIMEOUT", "5");
        builder.environment().put("PGPASSWORD", database.password() == null ? "" : database.password());
        String output;
        int status;
        try {
            Process p = builder.start();
            p.getOutputStream().close();
            output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("psql did not finish SHOW SERVERS within 10 s");
            }
            status = p.exitValue();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + psql, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking PgBouncer for its server connections", e);
        }
        List<String> lines = output.lines().toList();
        if (status != 0 || lines.isEmpty()) {
            throw new IllegalStateException("PgBouncer's admin console did not answer SHOW SERVERS (psql exit status "
                    + status + "): " + output.strip());
        }
        int column = List.of(lines.get(0).split("\t")).indexOf("remote_pid");
        if (column < 0) {
            throw new IllegalStateException("SHOW SERVERS has no remote_pid column: " + lines.get(0));
        }
        List<Integer> pids = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            pids.add(Integer.parseInt(line.split("\t", -1)[column]));
        }
        return pids;
    }

    /** The temporary directory with the configuration, the pid file and the log. */
    public Path directory() {
        return directory;
    }

    /** PgBouncer's log so far (its last 8,000 characters), for failure messages. */
    public String log() {
        try {
            String text = Files.readString(directory.resolve("pgbouncer.log"), StandardCharsets.UTF_8);
            return text.length() <= 8_000 ? text : text.substring(text.length() - 8_000);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Closes the shared pool, stops PgBouncer and deletes its directory. Idempotent. */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // The JVM is exiting: the hook runs stop() itself.
        }
        stop();
    }

    @Override
    public String toString() {
        return "OwnedPgBouncer[" + mode.setting() + ", 127.0.0.1:" + port + ", " + directory + "]";
    }

    private void stop() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        database.closeSharedPool();
        stopProcess();
        LocalMachine.deleteQuietly(directory);
    }

    /**
     * Stops PgBouncer, then whatever started it (runuser), each politely, then by force. PgBouncer goes first: runuser
     * that is sent a signal itself passes it on and then waits two seconds before it exits.
     */
    private void stopProcess() {
        long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
        for (ProcessHandle p : process.descendants().toList()) {
            p.destroy();
            awaitExit(p, deadline);
        }
        awaitExit(process.toHandle(), System.nanoTime() + Duration.ofSeconds(1).toNanos());
        process.destroy();
        awaitExit(process.toHandle(), deadline);
    }

    /** Waits for {@code p} to exit until {@code deadline} ({@link System#nanoTime()}), then kills it. */
    private static void awaitExit(ProcessHandle p, long deadline) {
        try {
            p.onExit().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        } catch (ExecutionException | TimeoutException e) {
            p.destroyForcibly();
        }
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        SQLException last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("pgbouncer exited with status " + process.exitValue()
                        + " before it answered; its log:\n" + log());
            }
            try (Connection c = database.connect();
                    Statement s = c.createStatement()) {
                s.execute("SELECT 1");
                return;
            } catch (SQLException e) {
                last = e;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for pgbouncer to start", e);
            }
        }
        throw new IllegalStateException(
                "pgbouncer did not answer within " + START_TIMEOUT.toSeconds() + " s (last error: "
                        + (last == null ? "none" : last.getMessage()) + "); its log:\n" + log(),
                last);
    }
}
