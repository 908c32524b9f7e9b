package dev.leasehold.lock.bench;

import dev.leasehold.lock.table.Dialect;

/** The databases the benchmark knows. */
enum DbKind {
    POSTGRESQL("PostgreSQL", "pg", Dialect.POSTGRESQL),
    MARIADB("MariaDB", "mariadb", Dialect.MARIADB),
    H2("H2", "h2", Dialect.H2);

    private final String displayName;
    private final String key;
    private final Dialect dialect;

    DbKind(String displayName, String key, Dialect dialect) {
        this.displayName = displayName;
        this.key = key;
        this.dialect = dialect;
    }

    /** The lease table's dialect on this database: its DDL is the one the library ships. */
    Dialect dialect() {
        return dialect;
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
