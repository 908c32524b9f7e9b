package dev.leasehold.lock.jdbc;

import dev.leasehold.lock.testing.DatabaseKind;

/** The whole TCK against the lease table on Postgres. */
class PostgresTckTest extends JdbcTck {
    @Override
    DatabaseKind kind() {
        return DatabaseKind.POSTGRESQL;
    }
}
