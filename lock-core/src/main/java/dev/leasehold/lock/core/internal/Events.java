package dev.leasehold.lock.core.internal;

import dev.leasehold.lock.LockAlreadyHeldException;
import dev.leasehold.lock.LockBackendException;
import dev.leasehold.lock.LockEvents;
import dev.leasehold.lock.LockEvents.AcquireOutcome;
import dev.leasehold.lock.LockEvents.LossReason;
import dev.leasehold.lock.LockEvents.RenewalOutcome;
import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.LockListener;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the engine's events to the {@link LockListener}s of its settings. With no listener every method returns at
 * once without allocating; a listener that throws is logged and never disturbs the engine or the caller.
 *
 * <p>This class is immutable and thread-safe.
 */
final class Events {

    private static final Logger LOG = LoggerFactory.getLogger(Events.class);

    private final List<LockListener> listeners;
    private final String backend;
    private final boolean enabled;

    Events(List<LockListener> listeners, String backend) {
        this.listeners = List.copyOf(listeners);
        this.backend = backend;
        this.enabled = !listeners.isEmpty();
    }

    /**
     * Runs an acquire call and reports how it ended: acquired or held by its result, an error by its {@link
     * LockBackendException}. Misuse (a reentrant acquire, a closed manager, an interrupt) is not reported.
     */
    <T> Optional<T> acquireCall(String name, Supplier<Optional<T>> call) {
        if (!enabled) {
            return call.get();
        }
        long start = System.nanoTime();
        Optional<T> result;
        try {
            result = call.get();
        } catch (LockAlreadyHeldException e) {
            if (!e.heldByThisManager()) {
                acquireAttempted(name, AcquireOutcome.HELD, start, Optional.empty());
            }
            throw e;
        } catch (LockBackendException e) {
            acquireAttempted(name, AcquireOutcome.ERROR, start, e.sqlState());
            throw e;
        }
        acquireAttempted(
                name, result.isPresent() ? AcquireOutcome.ACQUIRED : AcquireOutcome.HELD, start, Optional.empty());
        return result;
    }

    private void acquireAttempted(String name, AcquireOutcome outcome, long start, Optional<String> sqlState) {
        Duration waited = Duration.ofNanos(Math.max(0, System.nanoTime() - start));
        LockEvents.AcquireAttempt event = new LockEvents.AcquireAttempt(backend, name, outcome, waited, sqlState);
        fire("acquireAttempted", name, l -> l.acquireAttempted(event));
    }

    void leaseAcquired(String name, long token) {
        if (enabled) {
            LockEvents.LeaseAcquired event = new LockEvents.LeaseAcquired(backend, name, token);
            fire("leaseAcquired", name, l -> l.leaseAcquired(event));
        }
    }

    void leaseReleased(String name, long token, long acquiredAt) {
        if (enabled) {
            LockEvents.LeaseReleased event = new LockEvents.LeaseReleased(backend, name, token, since(acquiredAt));
            fire("leaseReleased", name, l -> l.leaseReleased(event));
        }
    }

    void renewed(String name, RenewalOutcome outcome) {
        if (enabled) {
            LockEvents.Renewal event = new LockEvents.Renewal(backend, name, outcome);
            fire("renewed", name, l -> l.renewed(event));
        }
    }

    void leaseLost(String name, long token, LossReason reason, long acquiredAt) {
        if (enabled) {
            LockEvents.LeaseLost event = new LockEvents.LeaseLost(backend, name, token, reason, since(acquiredAt));
            fire("leaseLost", name, l -> l.leaseLost(event));
        }
    }

    /**
     * Why a lease the store no longer has (before its local deadline) is gone: another owner holds the lock now, or
     * nobody does, so it was released by someone else. Asks the store only when a listener wants to know; a failure
     * to ask counts as taken over.
     */
    LossReason goneReason(String name, Supplier<Optional<LockInfo>> holder) {
        if (!enabled) {
            return LossReason.TAKEN_OVER;
        }
        try {
            return holder.get().isPresent() ? LossReason.TAKEN_OVER : LossReason.RELEASED_BY_ADMIN;
        } catch (RuntimeException e) {
            LOG.debug("could not ask the store who holds lock '{}' after its lease was found gone", name, e);
            return LossReason.TAKEN_OVER;
        }
    }

    private static Duration since(long nanoTime) {
        return Duration.ofNanos(Math.max(0, System.nanoTime() - nanoTime));
    }

    private void fire(String what, String name, Consumer<LockListener> call) {
        for (LockListener listener : listeners) {
            try {
                call.accept(listener);
            } catch (Exception | Error e) {
                // A listener must never break a lease or the caller: its failure is only logged. Exception, not only
                // RuntimeException: code in other JVM languages (Kotlin, Groovy) or with Lombok's @SneakyThrows
                // throws checked exceptions through interfaces that do not declare them.
                LOG.error("lock listener {} threw from {} for lock '{}'", listener, what, name, e);
            }
        }
    }
}
