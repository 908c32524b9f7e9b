package dev.leasehold.lock.shedlock;

import dev.leasehold.lock.testing.DatabaseKind;

/** ShedLock's provider contract on the PostgreSQL advisory backend. */
class PostgresAdvisoryProviderTest extends ProviderContract {
    @Override
    DatabaseKind kind() {
        return DatabaseKind.POSTGRESQL;
    }

    @Override
    String backend() {
        return "advisory";
    }
}
