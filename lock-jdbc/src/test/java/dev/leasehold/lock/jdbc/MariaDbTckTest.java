package dev.leasehold.lock.jdbc;

import dev.leasehold.lock.testing.DatabaseKind;

/** The whole TCK against the lease table on MariaDb. */
class MariaDbTckTest extends JdbcTck {
    @Override
    DatabaseKind kind() {
        return DatabaseKind.MARIADB;
    }
}
