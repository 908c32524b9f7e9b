package dev.leasehold.lock.core.internal;

import dev.leasehold.lock.DistributedLock;
import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockCallback;
import dev.leasehold.lock.LockRunnable;
import dev.leasehold.lock.RetryOptions;
import dev.leasehold.lock.internal.Arguments;
import java.time.Duration;
import java.util.Optional;

/**
 * One named lock of an {@link Engine}.
 *
 * <p>This class is immutable and thread-safe.
 */
final class EngineLock implements DistributedLock {

    private final Engine engine;
    private final String name;
    private final LockConfig config;

    EngineLock(Engine engine, String name, LockConfig config) {
        this.engine = engine;
        this.name = name;
        this.config = config;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Lease acquire() {
        return engine.acquire(name, config, config.retry());
    }

    @Override
    public Lease acquire(Duration maxWait) {
        Arguments.notNegative(maxWait, "maxWait");
        RetryOptions retry =
                config.retry().toBuilder().maxRetries(-1).maxWait(maxWait).build();
        return engine.acquire(name, config, retry);
    }

    @Override
    public Optional<Lease> tryAcquire() {
        return engine.tryAcquire(name, config).map(Lease.class::cast);
    }

    @Override
    public boolean isHeld() {
        return engine.isHeld(name);
    }

    /**
     * Acquires, runs the callback as work the manager's close() waits for, and releases. The work ends only after
     * the release, so that a close() that waited for it returns with the lock free.
     */
    @Override
    public <T, X extends Exception> T withLock(LockCallback<T, X> callback) throws X {
        Arguments.notNull(callback, "callback");
        ManagedLease lease = engine.acquire(name, config, config.retry());
        engine.beginWork(lease);
        try {
            T result;
            try {
                result = callback.call(lease);
            } catch (Throwable t) {
                try {
                    lease.release();
                } catch (RuntimeException releaseFailure) {
                    t.addSuppressed(releaseFailure);
                }
                throw t;
            }
            lease.release();
            return result;
        } finally {
            engine.endWork(lease);
        }
    }

    @Override
    public <X extends Exception> void runLocked(LockRunnable<X> callback) throws X {
        Arguments.notNull(callback, "callback");
        withLock(lease -> {
            callback.run(lease);
            return null;
        });
    }

    @Override
    public String toString() {
        return "DistributedLock[" + name + ", owner " + engine.ownerId() + "]";
    }
}
