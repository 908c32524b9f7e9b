package dev.leasehold.lock.core.internal;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import dev.leasehold.lock.LockAlreadyHeldException;
import dev.leasehold.lock.LockBackendException;
import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.LockInterruptedException;
import dev.leasehold.lock.RetryOptions;
import dev.leasehold.lock.spi.AwaitOutcome;
import dev.leasehold.lock.spi.SqlFailures;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An acquire that waits: attempts of the engine, retried through a Failsafe policy built from {@link RetryOptions}
 * while the lock is held (or the database briefly unreachable) and time and retries are left. Between two attempts the
 * thread waits on {@link dev.leasehold.lock.spi.LeaseStore#awaitChange} where the store can wake waiters, and sleeps
 * the retry delay otherwise; it waits parked in the engine's {@link Lifecycle}, so that close() can wake it. A retry
 * is one delay: wake-ups within it whose attempt fails do not use up the retries ({@link #retryAfterDelay}).
 *
 * <p>This class is thread-safe.
 */
final class WaitingAcquire {

    private static final Logger LOG = LoggerFactory.getLogger(WaitingAcquire.class);

    private final Engine engine;
    private final Lifecycle lifecycle;
    private volatile boolean awaitSupported = true;

    WaitingAcquire(Engine engine, Lifecycle lifecycle) {
        this.engine = engine;
        this.lifecycle = lifecycle;
    }

    /** Acquires with waiting: Failsafe retries while the lock is held, as the retry options say. */
    ManagedLease acquire(String name, LockConfig config, RetryOptions retry) {
        if (Thread.currentThread().isInterrupted()) {
            throw new LockInterruptedException(name, new InterruptedException("interrupted before acquiring"));
        }
        long start = System.nanoTime();
        Long budgetEnd = retry.maxWait().map(w -> start + w.toNanos()).orElse(null);
        // The pause between attempts happens in the attempt itself (pause), not as a Failsafe delay, so that close()
        // can wake a waiting thread.
        RetryPolicy<Optional<ManagedLease>> policy = RetryPolicy.<Optional<ManagedLease>>builder()
                .handleResultIf(result -> result.isEmpty() && timeLeft(budgetEnd))
                // Besides "still held", a transient failure that outlasted its own retries (a restart, a failover)
                // is waited out like contention while the wait has retries and time left.
                .handleIf(failure -> isTransientBackendFailure(failure) && timeLeft(budgetEnd))
                .withMaxRetries(retry.maxRetries())
                .onRetry(e -> LOG.debug(
                        "lock '{}' is {}; attempt {}",
                        name,
                        e.getLastException() == null ? "held" : "unreachable (" + e.getLastException() + ")",
                        e.getAttemptCount() + 1))
                .build();
        try {
            Optional<ManagedLease> lease = Failsafe.with(policy)
                    .get(ctx -> ctx.isRetry()
                            ? retryAfterDelay(
                                    name, config, nextDelay(retry, ctx.getAttemptCount(), budgetEnd), budgetEnd)
                            : engine.attempt(name, config, budgetEnd));
            if (lease.isPresent()) {
                return lease.get();
            }
        } catch (FailsafeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new LockInterruptedException(name, ie);
            }
            throw StoreCalls.failure(name, "acquire", cause);
        }
        throw heldElsewhere(name, retry, start);
    }

    /** A {@link LockBackendException} caused by a transient database failure that the store call's retries outlasted. */
    private static boolean isTransientBackendFailure(Throwable failure) {
        return failure instanceof LockBackendException && SqlFailures.isTransient(failure.getCause());
    }

    private static boolean timeLeft(Long budgetEnd) {
        return budgetEnd == null || budgetEnd - System.nanoTime() > 0;
    }

    /** The sleep before retry number {@code retry} (1-based): backoff, capped, jittered, within the budget. */
    static Duration nextDelay(RetryOptions options, int retry, Long budgetEnd) {
        double grown = options.delay().toNanos() * Math.pow(options.backoffFactor(), Math.max(0, retry - 1));
        long delay = (long) Math.min(grown, options.maxDelay().toNanos());
        if (options.jitter() > 0) {
            double spread = options.jitter() * (2 * ThreadLocalRandom.current().nextDouble() - 1);
            delay = (long) (delay * (1 + spread));
        }
        if (budgetEnd != null) {
            delay = Math.min(delay, Math.max(0, budgetEnd - System.nanoTime()));
        }
        return Duration.ofNanos(Math.max(0, delay));
    }

    /**
     * One retry of the budget: waits up to {@code delay}, attempting at each wake-up the store reports ({@link
     * AwaitOutcome#CHANGED}), and once more when the delay is over. A wake-up whose attempt fails (the store woke the
     * waiter without cause, or another waiter won) does not end the retry: the waiter waits out the rest of its delay,
     * so that however often a store wakes it, {@code maxRetries} retries wait {@code maxRetries} delays. Whether a
     * wait ended by a change or by its time is not asked: the delay left says whether this retry goes on.
     */
    private Optional<ManagedLease> retryAfterDelay(String name, LockConfig config, Duration delay, Long budgetEnd)
            throws InterruptedException {
        long end = System.nanoTime() + delay.toNanos();
        while (true) {
            pause(name, Duration.ofNanos(Math.max(0, end - System.nanoTime())));
            Optional<ManagedLease> lease = engine.attempt(name, config, budgetEnd);
            if (lease.isPresent() || end - System.nanoTime() <= 0) {
                return lease;
            }
        }
    }

    /**
     * Waits between two attempts: for a change of the lock where the store can wake waiters, else sleeping. While it
     * waits the thread is registered as parked, so that close() can interrupt it; woken that way it throws {@link
     * IllegalStateException}, with the interrupt (close's, not the caller's) cleared.
     */
    private void pause(String name, Duration wait) throws InterruptedException {
        if (!lifecycle.park()) {
            throw closedWhileWaiting(name);
        }
        InterruptedException interrupted = null;
        boolean wokenByClose;
        try {
            waitForChange(name, wait);
        } catch (InterruptedException e) {
            interrupted = e;
        } finally {
            // close() and abandon() mark the manager closed and interrupt every parked thread under the same lock, so
            // this sees any close that began while the thread was parked, whether close's interrupt or the store
            // (which its close wakes) ended the wait.
            wokenByClose = lifecycle.unpark();
        }
        if (wokenByClose) {
            Thread.interrupted();
            throw closedWhileWaiting(name);
        }
        if (interrupted != null) {
            throw interrupted;
        }
    }

    private IllegalStateException closedWhileWaiting(String name) {
        return new IllegalStateException(
                "the lock manager of owner " + engine.ownerId() + " was closed while this thread waited" + " for lock '"
                        + name + "'; build a new one with Locks.builder()");
    }

    /** Waits for a change or {@code wait}, whichever comes first. */
    private void waitForChange(String name, Duration wait) throws InterruptedException {
        if (wait.isZero()) {
            return;
        }
        if (!awaitSupported) {
            sleep(wait);
            return;
        }
        AwaitOutcome outcome;
        try {
            outcome = engine.store().awaitChange(name, wait);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            if (lifecycle.isClosed()) {
                return; // the store's wait ended by close's interrupt, reported as a failure
            }
            // A failed wait (say, the listening connection dropped) falls back to sleeping this once.
            LOG.debug("waiting for a change of lock '{}' failed; sleeping instead", name, e);
            sleep(wait);
            return;
        }
        if (outcome == AwaitOutcome.NOT_SUPPORTED) {
            awaitSupported = false;
            sleep(wait);
        }
    }

    private static void sleep(Duration wait) throws InterruptedException {
        TimeUnit.NANOSECONDS.sleep(wait.toNanos());
    }

    private LockAlreadyHeldException heldElsewhere(String name, RetryOptions retry, long start) {
        Optional<LockInfo> holder;
        try {
            holder = engine.store().inspect(name);
        } catch (Exception e) {
            holder = Optional.empty();
        }
        long waited = Duration.ofNanos(System.nanoTime() - start).toMillis();
        String who = holder.map(h -> "held by owner " + h.ownerId() + " (token " + h.token() + ", expires at "
                        + h.expiresAt() + " by the database clock)")
                .orElse("held");
        String limits = "after " + waited + " ms"
                + (retry.maxRetries() >= 0 ? ", " + retry.maxRetries() + " retries allowed" : "")
                + retry.maxWait()
                        .map(w -> ", waiting up to " + w.toMillis() + " ms")
                        .orElse("");
        return new LockAlreadyHeldException(
                name,
                holder.orElse(null),
                false,
                "lock '" + name + "' is " + who + "; gave up " + limits
                        + ". Wait longer with RetryOptions or acquire(Duration), or use tryAcquire()");
    }
}
