package dev.leasehold.lock.advisory;

import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.table.Dialect;
import dev.leasehold.lock.table.internal.TableLockProvider;
import org.jdbi.v3.core.Jdbi;

/**
 * The {@code advisory} backend, found through {@link java.util.ServiceLoader}: PostgreSQL advisory locks plus the
 * lease table, over a DataSource or Jdbi of PostgreSQL. It supports settings carrying a Jdbi or DataSource of
 * PostgreSQL, and nothing else.
 *
 * <p>This class is thread-safe.
 */
public final class AdvisoryLockProvider extends TableLockProvider {

    /** The backend name. */
    public static final String NAME = "advisory";

    /** The provider, as {@link java.util.ServiceLoader} builds it. */
    public AdvisoryLockProvider() {
        super(
                NAME,
                "a DataSource or Jdbi of PostgreSQL (advisory locks are PostgreSQL's), connected directly or through a"
                        + " session-mode pooler, not PgBouncer in transaction mode",
                s -> s.resource(Jdbi.class).map(j -> j.open().getConnection()),
                dialect -> dialect == Dialect.POSTGRESQL);
    }

    @Override
    public LockManager create(LockSettings settings) {
        return AdvisoryLockManager.create(settings);
    }
}
