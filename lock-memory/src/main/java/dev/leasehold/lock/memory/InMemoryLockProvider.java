package dev.leasehold.lock.memory;

import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.core.LeaseLockManager;
import dev.leasehold.lock.core.memory.InMemoryLeaseStore;
import dev.leasehold.lock.spi.LockProvider;

/**
 * The {@code memory} backend, for tests: managers over an {@link InMemoryLeaseStore}, the one given as a resource or
 * else the JVM-wide {@link InMemoryLeaseStore#shared()}. It supports settings that carry no resource or an {@link
 * InMemoryLeaseStore}, so it never competes with a database backend that was given a DataSource. Found through
 * ServiceLoader only when {@code dev.leasehold:lock-memory} is on the class or module path: add it with test scope.
 *
 * <p>This class is thread-safe.
 */
public final class InMemoryLockProvider implements LockProvider {

    /** The backend name. */
    public static final String NAME = "memory";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean supports(LockSettings settings) {
        return settings.resources().isEmpty()
                || settings.resource(InMemoryLeaseStore.class).isPresent();
    }

    @Override
    public String requirements() {
        return "no resource (one JVM-wide in-memory store) or an InMemoryLeaseStore; meant for tests";
    }

    @Override
    public LockManager create(LockSettings settings) {
        InMemoryLeaseStore store = settings.resource(InMemoryLeaseStore.class).orElseGet(InMemoryLeaseStore::shared);
        return new LeaseLockManager(store, settings);
    }
}
