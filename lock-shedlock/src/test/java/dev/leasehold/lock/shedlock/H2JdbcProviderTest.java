package dev.leasehold.lock.shedlock;

import dev.leasehold.lock.testing.DatabaseKind;

/** ShedLock's provider contract on the H2 lease table (jdbc). */
class H2JdbcProviderTest extends ProviderContract {
    @Override
    DatabaseKind kind() {
        return DatabaseKind.H2;
    }

    @Override
    String backend() {
        return "jdbc";
    }
}
