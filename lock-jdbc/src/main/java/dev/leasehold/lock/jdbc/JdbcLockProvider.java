package dev.leasehold.lock.jdbc;

import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.spi.LockProvider;
import dev.leasehold.lock.table.internal.ProductNames;
import org.jdbi.v3.core.Jdbi;

/**
 * The {@code jdbc} backend, found through {@link java.util.ServiceLoader}: the lease table over a DataSource or Jdbi
 * of PostgreSQL, H2 or MariaDB/MySQL.
 *
 * <p>This class is thread-safe.
 */
public final class JdbcLockProvider implements LockProvider {

    /** The backend name. */
    public static final String NAME = "jdbc";

    @Override
    public String name() {
        return NAME;
    }

    /**
     * Supports settings with a Jdbi or DataSource of a database the lease table knows. It connects once to read the
     * product name; when the database cannot be reached it says yes, so that building the manager reports the real
     * error.
     */
    @Override
    public boolean supports(LockSettings settings) {
        return ProductNames.supports(
                settings, s -> s.resource(Jdbi.class).map(j -> j.open().getConnection()), d -> true);
    }

    @Override
    public String requirements() {
        return "a DataSource or Jdbi of PostgreSQL, H2 or MariaDB/MySQL";
    }

    @Override
    public LockManager create(LockSettings settings) {
        return JdbcLockManager.create(settings);
    }
}
