package dev.leasehold.lock.advisory;

import dev.leasehold.lock.tck.LeaseholdTck;
import dev.leasehold.lock.tck.TckFixture;
import dev.leasehold.lock.testing.TestDatabase;

/** The whole TCK against the advisory backend on PostgreSQL. */
class AdvisoryTckTest extends LeaseholdTck {
    @Override
    protected TckFixture createFixture() {
        TestDatabase db = TestSupport.pg();
        return new AdvisoryFixture(db, db.uniquePrefix(getClass().getSimpleName()));
    }
}
