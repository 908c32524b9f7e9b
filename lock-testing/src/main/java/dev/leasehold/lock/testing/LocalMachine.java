package dev.leasehold.lock.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * What the servers a test starts of its own ({@link OwnedPostgres}, {@link OwnedPgBouncer}) need from the machine:
 * programs, free ports, temporary directories, the OS user, and the rule for a missing program (abort the test, or fail
 * it when databases are required).
 *
 * <p>This class is thread-safe.
 */
final class LocalMachine {

    /** Directories looked in after the {@code PATH}, where distributions put server programs. */
    private static final List<String> SYSTEM_DIRS = List.of("/usr/sbin", "/usr/local/sbin", "/usr/bin", "/sbin");

    private LocalMachine() {}

    /** The executable {@code program} on the {@code PATH} or in the usual system directories. */
    static Optional<Path> find(String program) {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(File.pathSeparator)));
        }
        dirs.addAll(SYSTEM_DIRS);
        return dirs.stream()
                .filter(d -> !d.isBlank())
                .map(d -> Path.of(d, program))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /** Where {@link #find} looks after the {@code PATH}, for messages. */
    static List<String> systemDirs() {
        return SYSTEM_DIRS;
    }

    /** Whether files this JVM creates belong to root (uid 0): server programs refuse to run as root. */
    static boolean isRoot(Path directory) {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(directory, "unix:uid"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    /** The OS user {@code name}, if there is one. */
    static Optional<UserPrincipal> osUser(String name) {
        try {
            return Optional.of(
                    Path.of("/").getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(name));
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    /** Hands {@code directory} and every file in it to the OS user {@code user}, who runs a server on them. */
    static void giveTo(Path directory, String user) throws IOException {
        UserPrincipal owner = osUser(user)
                .orElseThrow(() -> new IllegalStateException(
                        "the JVM runs as root, which the server refuses, and there is no OS user " + user
                                + " to run it as"));
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path p : files.toList()) {
                Files.setOwner(p, owner);
            }
        }
    }

    /** A TCP port of the loopback interface that is free now (a server started next binds it, or retries). */
    static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on the loopback interface", e);
        }
    }

    /** Deletes {@code directory} and everything in it, as far as it can; null does nothing. */
    static void deleteQuietly(Path directory) {
        if (directory == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | UncheckedIOException e) {
            // A temporary directory: what is left, the system's temp clean-up removes.
        }
    }

    /** The last {@code lines} lines of a log file, or why there are none. */
    static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /**
     * Aborts the current test with {@code reason}, as a missing database does, or fails it when databases are required
     * ({@code LEASEHOLD_TEST_REQUIRE_DB=true}).
     */
    static <T> T unavailable(String reason) {
        if (new DatabaseResolver(DatabaseResolver.Settings.system()).requireDb()) {
            return Assertions.fail(reason + " (" + DatabaseResolver.REQUIRE_DB_VARIABLE
                    + "=true, so this fails instead of skipping the test)");
        }
        return Assumptions.abort(reason);
    }
}
