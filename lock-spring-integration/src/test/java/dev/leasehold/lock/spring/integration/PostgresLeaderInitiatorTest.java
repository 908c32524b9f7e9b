package dev.leasehold.lock.spring.integration;

import dev.leasehold.lock.testing.DatabaseKind;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestDatabases;

/** The leader-election tests on PostgreSQL. */
class PostgresLeaderInitiatorTest extends LeaderInitiatorTestBase {

    @Override
    TestDatabase database() {
        return TestDatabases.get(DatabaseKind.POSTGRESQL);
    }
}
