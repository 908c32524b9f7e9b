package dev.leasehold.lock.table.internal;

import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.table.Dialect;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.function.Predicate;
import javax.sql.DataSource;

/**
 * Reads which database product a backend would be built on, for a provider's {@code supports}: from one connection's
 * metadata, taken from the resource the backend prefers (a Jdbi, say) or else the settings' DataSource (behind a
 * transaction-aware proxy, if it is one), and closed at once.
 *
 * <p>This class is thread-safe.
 */
public final class ProductNames {

    /** Opens a connection from the resource a backend prefers among the settings', if there is one. */
    @FunctionalInterface
    public interface PreferredConnection {
        /** A new connection the caller closes, or empty when the settings carry no such resource. */
        Optional<Connection> open(LockSettings settings) throws SQLException;
    }

    private ProductNames() {}

    /**
     * Whether a backend that runs on the databases {@code accepted} supports these settings: they carry its preferred
     * resource or a DataSource, and the database behind it is one it accepts. When the database cannot be reached it
     * says yes, so that building the manager reports the real error.
     */
    public static boolean supports(LockSettings settings, PreferredConnection preferred, Predicate<Dialect> accepted) {
        try {
            return of(settings, preferred)
                    .map(p -> Dialect.of(p).filter(accepted).isPresent())
                    .orElse(false);
        } catch (SQLException | RuntimeException e) {
            return true;
        }
    }

    /**
     * The database product name, or empty when the settings carry neither the preferred resource nor a DataSource.
     *
     * @throws SQLException if the database cannot be reached
     */
    public static Optional<String> of(LockSettings settings, PreferredConnection preferred) throws SQLException {
        Optional<Connection> connection = preferred.open(settings);
        if (connection.isEmpty()) {
            Optional<DataSource> dataSource = settings.dataSource();
            if (dataSource.isEmpty()) {
                return Optional.empty();
            }
            connection = Optional.of(OwnConnections.unwrap(dataSource.get()).getConnection());
        }
        try (Connection c = connection.get()) {
            return Optional.of(c.getMetaData().getDatabaseProductName());
        }
    }
}
