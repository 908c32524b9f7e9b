package dev.leasehold.lock.jdbc;

import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.spi.LockProvider;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;
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
        Optional<Jdbi> jdbi = settings.resource(Jdbi.class);
        Optional<DataSource> dataSource = settings.dataSource();
        if (jdbi.isEmpty() && dataSource.isEmpty()) {
            return false;
        }
        try {
            String product = jdbi.isPresent()
                    ? jdbi.get().withHandle(h -> productName(h.getConnection()))
                    : productOf(dataSource.get());
            return JdbcDialect.of(product).isPresent();
        } catch (SQLException | RuntimeException e) {
            return true;
        }
    }

    private static String productOf(DataSource dataSource) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return productName(c);
        }
    }

    private static String productName(Connection c) throws SQLException {
        return c.getMetaData().getDatabaseProductName();
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
