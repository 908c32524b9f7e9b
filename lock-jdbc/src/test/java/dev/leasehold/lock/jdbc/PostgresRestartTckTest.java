package dev.leasehold.lock.jdbc;

import dev.leasehold.lock.tck.RestartTck;
import dev.leasehold.lock.tck.TckFixture;
import dev.leasehold.lock.testing.OwnedPostgres;

/**
 * The TCK's restart rules against the lease table on a PostgreSQL cluster of the test's own, which they restart; the
 * rest of the TCK runs on the shared server ({@link PostgresTckTest}), where these rules abort.
 */
class PostgresRestartTckTest extends RestartTck {
    @Override
    protected TckFixture createFixture() {
        OwnedPostgres pg = OwnedPostgres.create();
        return JdbcFixture.owning(pg, pg.database().uniquePrefix(getClass().getSimpleName()));
    }
}
