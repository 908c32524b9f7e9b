package dev.leasehold.lock.shedlock;

import dev.leasehold.lock.testing.DatabaseKind;

/** ShedLock's provider contract on the PostgreSQL lease table (jdbc). */
class PostgresJdbcProviderTest extends ProviderContract {
    @Override
    DatabaseKind kind() {
        return DatabaseKind.POSTGRESQL;
    }

    @Override
    String backend() {
        return "jdbc";
    }
}
