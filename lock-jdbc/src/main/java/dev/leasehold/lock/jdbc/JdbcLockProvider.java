package dev.leasehold.lock.jdbc;

import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.table.internal.TableLockProvider;
import org.jdbi.v3.core.Jdbi;

/**
 * The {@code jdbc} backend, found through {@link java.util.ServiceLoader}: the lease table over a DataSource or Jdbi
 * of PostgreSQL, H2 or MariaDB/MySQL. It supports settings carrying a Jdbi or DataSource of any of these.
 *
 * <p>This class is thread-safe.
 */
public final class JdbcLockProvider extends TableLockProvider {

    /** The backend name. */
    public static final String NAME = "jdbc";

    /** The provider, as {@link java.util.ServiceLoader} builds it. */
    public JdbcLockProvider() {
        super(
                NAME,
                "a DataSource or Jdbi of PostgreSQL, H2 or MariaDB/MySQL",
                s -> s.resource(Jdbi.class).map(j -> j.open().getConnection()),
                dialect -> true);
    }

    @Override
    public LockManager create(LockSettings settings) {
        return JdbcLockManager.create(settings);
    }
}
