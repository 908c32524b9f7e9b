package dev.leasehold.lock.jdbc;

import dev.leasehold.lock.testing.DatabaseKind;

/** The whole TCK against the lease table on H2. */
class H2TckTest extends JdbcTck {
    @Override
    DatabaseKind kind() {
        return DatabaseKind.H2;
    }
}
