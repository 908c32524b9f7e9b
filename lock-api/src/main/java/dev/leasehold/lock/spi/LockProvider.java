package dev.leasehold.lock.spi;

import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.LockSettings;

/**
 * A backend, found through {@link java.util.ServiceLoader}: declare it in {@code
 * META-INF/services/dev.leasehold.lock.spi.LockProvider} for the class path and with {@code provides} in {@code
 * module-info.java} for the module path. It needs a public no-argument constructor.
 *
 * <p>Implementations must be thread-safe.
 */
public interface LockProvider {

    /** The backend's name, such as {@code "jdbc"}: lower case, stable, unique among providers. */
    String name();

    /**
     * Whether this backend can work with these settings, judged from the resources they carry (for example a
     * DataSource of a database it knows). Must be quick, must not throw, and may open a connection to look at its
     * metadata.
     */
    boolean supports(LockSettings settings);

    /**
     * One line saying what this backend needs, shown when no backend or several fit: for example {@code "a DataSource
     * or Jdbi for PostgreSQL, H2 or MariaDB/MySQL"}.
     */
    default String requirements() {
        return "see the backend's documentation";
    }

    /**
     * Builds a manager over these settings.
     *
     * @throws dev.leasehold.lock.LockConfigurationException if the settings do not fit this backend, or its table or
     *     database is not usable; the message says what to do
     */
    LockManager create(LockSettings settings);
}
