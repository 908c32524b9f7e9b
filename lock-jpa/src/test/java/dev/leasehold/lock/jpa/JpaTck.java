package dev.leasehold.lock.jpa;

import dev.leasehold.lock.tck.LeaseholdTck;
import dev.leasehold.lock.tck.TckFixture;
import dev.leasehold.lock.testing.DatabaseKind;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestDatabases;

/** The whole TCK against the JPA backend on one database. */
abstract class JpaTck extends LeaseholdTck {

    abstract DatabaseKind kind();

    @Override
    protected TckFixture createFixture() {
        TestDatabase db = TestDatabases.get(kind());
        return new JpaFixture(db, db.uniquePrefix(getClass().getSimpleName()));
    }
}
