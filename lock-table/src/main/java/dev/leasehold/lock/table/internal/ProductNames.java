package dev.leasehold.lock.table.internal;

import dev.leasehold.lock.LockSettings;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
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
