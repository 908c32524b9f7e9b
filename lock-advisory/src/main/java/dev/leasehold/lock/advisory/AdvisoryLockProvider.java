package dev.leasehold.lock.advisory;

import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.spi.LockProvider;
import dev.leasehold.lock.table.Dialect;
import dev.leasehold.lock.table.internal.ProductNames;
import org.jdbi.v3.core.Jdbi;

/**
 * The {@code advisory} backend, found through {@link java.util.ServiceLoader}: PostgreSQL advisory locks plus the
 * lease table, over a DataSource or Jdbi of PostgreSQL.
 *
 * <p>This class is thread-safe.
 */
public final class AdvisoryLockProvider implements LockProvider {

    /** The backend name. */
    public static final String NAME = "advisory";

    @Override
    public String name() {
        return NAME;
    }

    /**
     * Supports settings with a Jdbi or DataSource of PostgreSQL, and nothing else: it connects once to read the product
     * name. When the database cannot be reached it says yes, so that building the manager reports the real error.
     */
    @Override
    public boolean supports(LockSettings settings) {
        return ProductNames.supports(
                settings, s -> s.resource(Jdbi.class).map(j -> j.open().getConnection()), d -> d == Dialect.POSTGRESQL);
    }

    @Override
    public String requirements() {
        return "a DataSource or Jdbi of PostgreSQL (advisory locks are PostgreSQL's), connected directly or through a"
                + " session-mode pooler, not PgBouncer in transaction mode";
    }

    @Override
    public LockManager create(LockSettings settings) {
        return AdvisoryLockManager.create(settings);
    }
}
