package dev.leasehold.lock.jpa;

import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.spi.LockProvider;
import jakarta.persistence.EntityManagerFactory;

/**
 * The {@code jpa} backend, found through {@link java.util.ServiceLoader}: leases as {@link LeaseRow} entities of the
 * application's EntityManagerFactory (a Hibernate SessionFactory is one) on PostgreSQL, H2 or MariaDB/MySQL.
 *
 * <p>This class is thread-safe.
 */
public final class JpaLockProvider implements LockProvider {

    /** The backend name. */
    public static final String NAME = "jpa";

    @Override
    public String name() {
        return NAME;
    }

    /** Supports settings that carry an EntityManagerFactory; it does not connect. */
    @Override
    public boolean supports(LockSettings settings) {
        return settings.resource(EntityManagerFactory.class).isPresent();
    }

    @Override
    public String requirements() {
        return "an EntityManagerFactory (Hibernate 7) of PostgreSQL, H2 or MariaDB/MySQL";
    }

    @Override
    public LockManager create(LockSettings settings) {
        return JpaLockManager.create(settings);
    }
}
