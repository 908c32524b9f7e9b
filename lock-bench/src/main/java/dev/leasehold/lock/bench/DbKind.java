package dev.leasehold.lock.bench;

/** The databases the benchmark knows. */
enum DbKind {
    POSTGRESQL("PostgreSQL", "pg"),
    MARIADB("MariaDB", "mariadb"),
    H2("H2", "h2");

    private final String displayName;
    private final String key;

    DbKind(String displayName, String key) {
        this.displayName = displayName;
        this.key = key;
    }

    String displayName() {
        return displayName;
    }

    /** The short name used in options, file names and CSV columns. */
    String key() {
        return key;
    }

    static DbKind ofKey(String key) {
        for (DbKind kind : values()) {
            if (kind.key.equalsIgnoreCase(key)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("databases: unknown database '" + key + "'; use pg, mariadb or h2");
    }
}
