package dev.leasehold.lock.testing;

/** The kinds of database {@link TestDatabases} can find for tests. This enum is immutable and thread-safe. */
public enum DatabaseKind {
    /** PostgreSQL: from the environment, a Testcontainers container, the local server or an embedded server. */
    POSTGRESQL("PostgreSQL"),
    /** MariaDB: from the environment, a Testcontainers container or the local server. */
    MARIADB("MariaDB"),
    /** H2 in memory, always available while the H2 driver is on the class path. */
    H2("H2");

    private final String displayName;

    DatabaseKind(String displayName) {
        this.displayName = displayName;
    }

    /** The product name as people write it, such as {@code PostgreSQL}. */
    String displayName() {
        return displayName;
    }
}
