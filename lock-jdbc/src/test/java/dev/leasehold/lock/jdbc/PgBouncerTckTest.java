package dev.leasehold.lock.jdbc;

import dev.leasehold.lock.tck.LeaseholdTck;
import dev.leasehold.lock.tck.TckFixture;
import dev.leasehold.lock.testing.DatabaseKind;
import dev.leasehold.lock.testing.OwnedPgBouncer;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestDatabases;

/**
 * The whole TCK against the lease table on PostgreSQL behind a PgBouncer of its own in {@code pool_mode=transaction},
 * where every statement may run on another server connection. The pools connect through PgBouncer with {@code
 * prepareThreshold=0}; the fixture's own work (clean-up, row locks, killing PgBouncer's server connections for R6.2)
 * goes to PostgreSQL directly. {@code LISTEN} cannot work there, so the store turns notifications off and R7.6 is
 * skipped with that reason; every other rule must pass.
 */
class PgBouncerTckTest extends LeaseholdTck {

    @Override
    protected TckFixture createFixture() {
        TestDatabase db = TestDatabases.get(DatabaseKind.POSTGRESQL);
        OwnedPgBouncer bouncer = OwnedPgBouncer.start(db, OwnedPgBouncer.PoolMode.TRANSACTION);
        return new JdbcFixture(db, db.uniquePrefix(getClass().getSimpleName()), bouncer);
    }
}
