package dev.leasehold.lock.advisory;

import dev.leasehold.lock.tck.RestartTck;
import dev.leasehold.lock.tck.TckFixture;
import dev.leasehold.lock.testing.OwnedPostgres;

/**
 * The TCK's restart rules against the advisory backend on a PostgreSQL cluster of the test's own, which they restart;
 * the rest of the TCK runs on the shared server ({@link AdvisoryTckTest}), where these rules abort.
 */
class AdvisoryRestartTckTest extends RestartTck {
    @Override
    protected TckFixture createFixture() {
        OwnedPostgres pg = OwnedPostgres.create();
        return AdvisoryFixture.owning(pg, pg.database().uniquePrefix(getClass().getSimpleName()));
    }
}
