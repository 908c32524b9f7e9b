package dev.leasehold.lock.jdbc;

import dev.leasehold.lock.tck.LeaseholdTck;
import dev.leasehold.lock.tck.TckFixture;
import dev.leasehold.lock.testing.DatabaseKind;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestDatabases;

/** The whole TCK against the lease table on one database. */
abstract class JdbcTck extends LeaseholdTck {

    abstract DatabaseKind kind();

    @Override
    protected TckFixture createFixture() {
        TestDatabase db = TestDatabases.get(kind());
        return new JdbcFixture(db, db.uniquePrefix(getClass().getSimpleName()));
    }
}
