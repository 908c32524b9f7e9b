package dev.leasehold.lock.testing;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.mariadb.MariaDBContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * Testcontainers, loaded only after {@link DatabaseResolver} found its classes: nothing else refers to this class, so
 * an absent Testcontainers never causes a {@link NoClassDefFoundError}.
 */
final class ContainerSupport {

    static final String POSTGRES_IMAGE = "postgres:15-alpine";
    static final String MARIADB_IMAGE = "mariadb:10.11";

    private ContainerSupport() {}

    /** The container class for that kind, by name, so that callers can check it is present without loading it. */
    static String containerClassName(DatabaseKind kind) {
        return kind == DatabaseKind.POSTGRESQL
                ? "org.testcontainers.postgresql.PostgreSQLContainer"
                : "org.testcontainers.mariadb.MariaDBContainer";
    }

    static String image(DatabaseKind kind) {
        return kind == DatabaseKind.POSTGRESQL ? POSTGRES_IMAGE : MARIADB_IMAGE;
    }

    /** Whether a Docker engine answers; Testcontainers asks once per JVM and logs an error block when none does. */
    static boolean dockerAvailable() {
        return DockerClientFactory.instance().isDockerAvailable();
    }

    /** Starts a container of that kind; the caller stops it through {@link DatabaseResolver.Started#closer()}. */
    static DatabaseResolver.Started start(DatabaseKind kind) {
        if (kind == DatabaseKind.POSTGRESQL) {
            PostgreSQLContainer container = new PostgreSQLContainer(POSTGRES_IMAGE);
            try {
                container.start();
            } catch (RuntimeException e) {
                container.close();
                throw e;
            }
            return new DatabaseResolver.Started(
                    container.getJdbcUrl(), container.getUsername(), container.getPassword(), container::close);
        }
        if (kind == DatabaseKind.MARIADB) {
            MariaDBContainer container = new MariaDBContainer(MARIADB_IMAGE);
            try {
                container.start();
            } catch (RuntimeException e) {
                container.close();
                throw e;
            }
            return new DatabaseResolver.Started(
                    container.getJdbcUrl(), container.getUsername(), container.getPassword(), container::close);
        }
        throw new IllegalArgumentException("no container for " + kind);
    }
}
