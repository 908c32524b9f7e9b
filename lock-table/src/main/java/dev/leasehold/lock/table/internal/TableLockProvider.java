package dev.leasehold.lock.table.internal;

import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.spi.LockProvider;
import dev.leasehold.lock.table.Dialect;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * What the providers of the backends over a DataSource have in common: a fixed name, a one-line requirement, and
 * {@code supports} judged from the database product behind the backend's preferred resource or the settings'
 * DataSource. A subclass says which resource it prefers and builds its manager.
 *
 * <p>This class is thread-safe.
 */
public abstract class TableLockProvider implements LockProvider {

    private final String name;
    private final String requirements;
    private final ProductNames.PreferredConnection preferred;
    private final Predicate<Dialect> accepted;

    /**
     * @param name the backend's name
     * @param requirements one line saying what the backend needs
     * @param preferred opens a connection from the resource the backend prefers over a DataSource, if present
     * @param accepted the databases the backend runs on
     */
    protected TableLockProvider(
            String name, String requirements, ProductNames.PreferredConnection preferred, Predicate<Dialect> accepted) {
        this.name = Objects.requireNonNull(name, "name");
        this.requirements = Objects.requireNonNull(requirements, "requirements");
        this.preferred = Objects.requireNonNull(preferred, "preferred");
        this.accepted = Objects.requireNonNull(accepted, "accepted");
    }

    @Override
    public final String name() {
        return name;
    }

    /**
     * Supports settings whose preferred resource or DataSource leads to an accepted database. It connects once to
     * read the product name; when the database cannot be reached it says yes, so that building the manager reports
     * the real error.
     */
    @Override
    public final boolean supports(LockSettings settings) {
        return ProductNames.supports(settings, preferred, accepted);
    }

    @Override
    public final String requirements() {
        return requirements;
    }
}
