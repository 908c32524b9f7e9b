package dev.leasehold.lock.spring.integration;

import dev.leasehold.lock.testing.DatabaseKind;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestDatabases;

/** The leader-election tests on H2 (in memory, no server). */
class H2LeaderInitiatorTest extends LeaderInitiatorTestBase {

    @Override
    TestDatabase database() {
        return TestDatabases.get(DatabaseKind.H2);
    }
}
