package dev.leasehold.lock.core;

import dev.leasehold.lock.DistributedLock;
import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.LockOptions;
import dev.leasehold.lock.internal.Arguments;
import java.util.Optional;

/**
 * The base of a backend's own {@link LockManager} type: every lock operation goes to the engine, and the backend adds
 * what only it can do (for example a transactional check on its connections).
 *
 * <p>This class is thread-safe.
 */
public abstract class ForwardingLockManager implements LockManager {

    private final LeaseLockManager engine;

    protected ForwardingLockManager(LeaseLockManager engine) {
        this.engine = Arguments.notNull(engine, "engine");
    }

    /** The engine under this manager (for crash simulation in tests: {@link LeaseLockManager#abandon()}). */
    public LeaseLockManager engine() {
        return engine;
    }

    @Override
    public DistributedLock lock(String name) {
        return engine.lock(name);
    }

    @Override
    public DistributedLock lock(String name, LockOptions options) {
        return engine.lock(name, options);
    }

    @Override
    public Optional<LockInfo> inspect(String name) {
        return engine.inspect(name);
    }

    @Override
    public String ownerId() {
        return engine.ownerId();
    }

    @Override
    public void close() {
        engine.close();
    }
}
