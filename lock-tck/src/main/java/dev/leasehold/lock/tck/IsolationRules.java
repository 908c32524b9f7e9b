package dev.leasehold.lock.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leasehold.lock.DistributedLock;
import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockAlreadyHeldException;
import dev.leasehold.lock.LockManager;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Rules 9.1 and 9.2 of SPEC.md: lease statements never join, or wait unboundedly on, someone else's transaction. */
public interface IsolationRules extends TckSuite {

    /** The longest a try may take while another transaction holds the row: W + S. */
    private Duration tryBound() {
        return rowLockTimeout().plus(tck().env().slack());
    }

    /** The row lock timeout the TCK's managers run with: the settings' default. */
    private Duration rowLockTimeout() {
        return tck().settings().build().rowLockTimeout();
    }

    /** Runs one try and returns it with how long it took. */
    private static Optional<Lease> timedTry(DistributedLock lock, AtomicReference<Duration> took) {
        long start = System.nanoTime();
        try {
            return lock.tryAcquire();
        } finally {
            took.set(Duration.ofNanos(System.nanoTime() - start));
        }
    }

    /**
     * Runs {@code call} on a thread of its own and waits for it at most the environment's patience, so that a call
     * that blocks fails the rule instead of hanging the run.
     */
    private <T> T notBlocked(String what, Callable<T> call) throws Exception {
        FutureTask<T> task = new FutureTask<>(call);
        Thread thread = new Thread(task, "tck-" + what);
        thread.setDaemon(true);
        thread.start();
        try {
            return task.get(tck().env().patience().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError(what + " still blocks after " + tck().env().patience()
                    + ": it waits for another transaction to end");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    /**
     * R9.1: lease statements never join the caller's transaction. When it fails: the store runs its statements on the
     * connection or handle the caller's thread has open (Jdbi's {@code withHandle} reuses it, a transaction-aware
     * DataSource returns it), so another manager's try blocks on the uncommitted grant, or the application's rollback
     * undoes the grant and the next holder gets the same token again.
     */
    @Test
    default void required_r9_1_leaseStatementsNeverJoinTheCallersTransaction() {
        LockManager holder = tck().manager();
        LockManager other = tck().manager();
        String kept = tck().name("ambient-kept");
        String released = tck().name("ambient-released");
        AtomicReference<Lease> held = new AtomicReference<>();
        AtomicReference<Long> releasedToken = new AtomicReference<>();
        AtomicReference<Optional<Lease>> otherTry = new AtomicReference<>();
        AtomicReference<Duration> took = new AtomicReference<>();
        try {
            tck().fixture().inApplicationTransaction(holder, () -> {
                Lease lease = holder.lock(kept).acquire();
                held.set(lease);
                lease.extend(tck().env().leaseTime());
                Lease shortLived = holder.lock(released).acquire();
                releasedToken.set(shortLived.token());
                shortLived.release();
                // Another manager, on another thread, while the application's transaction is still open.
                try {
                    otherTry.set(notBlocked("another manager's tryAcquire", () -> timedTry(other.lock(kept), took)));
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
        } catch (UnsupportedOperationException e) {
            Assumptions.abort("the fixture cannot open an application transaction: " + e.getMessage());
        }
        assertThat(otherTry.get())
                .as("another manager's try while the lease was held")
                .isEmpty();
        assertThat(took.get()).as("time that try took").isLessThanOrEqualTo(tryBound());
        Lease lease = held.get();
        assertThat(lease.isValid())
                .as("the lease after the application rolled back")
                .isTrue();
        assertThat(other.inspect(kept)
                        .orElseThrow(() -> new AssertionError("the rollback undid the grant"))
                        .token())
                .isEqualTo(lease.token());
        assertThat(other.lock(kept).tryAcquire()).as("a try after the rollback").isEmpty();
        Lease afterRelease = other.lock(released)
                .tryAcquire()
                .orElseThrow(() -> new AssertionError("the rollback undid a release made inside the transaction"));
        assertThat(afterRelease.token())
                .as("the grant after a release made inside the transaction")
                .isGreaterThan(releasedToken.get());
        afterRelease.release();
        lease.release();
        Lease next = other.lock(kept).tryAcquire().orElseThrow(() -> new AssertionError("not free after release"));
        assertThat(next.token()).as("the next grant's token").isGreaterThan(lease.token());
        next.release();
    }

    /**
     * R9.2: a try never waits for another transaction's row lock past the row lock timeout. When it fails: a lease
     * statement waits for the row lock as long as the database's default lets it (forever on PostgreSQL), or a lock
     * timeout is reported as an error or retried instead of meaning "held".
     */
    @Test
    default void required_r9_2_aTryNeverWaitsOnAnotherTransactionsRowLock() throws Exception {
        LockManager manager = tck().manager();
        String name = tck().name("rowlock");
        DistributedLock lock = manager.lock(name);
        lock.tryAcquire().orElseThrow().release(); // the lock's row exists
        AutoCloseable rowLock;
        try {
            rowLock = tck().fixture().lockRow(name);
        } catch (UnsupportedOperationException e) {
            Assumptions.abort("the fixture cannot lock a row from another transaction: " + e.getMessage());
            return;
        }
        try {
            AtomicReference<Duration> took = new AtomicReference<>();
            assertThat(notBlocked("tryAcquire", () -> timedTry(lock, took)))
                    .as("a try while another transaction holds the row")
                    .isEmpty();
            assertThat(took.get()).as("time that try took").isLessThanOrEqualTo(tryBound());
            Duration maxWait = tck().env().heartbeat();
            long start = System.nanoTime();
            Throwable failure = notBlocked("acquire(maxWait)", () -> {
                try {
                    lock.acquire(maxWait).release();
                    return null;
                } catch (LockAlreadyHeldException e) {
                    return e;
                }
            });
            Duration waited = Duration.ofNanos(System.nanoTime() - start);
            assertThat(failure)
                    .as("acquire(%s) while another transaction holds the row", maxWait)
                    .isNotNull();
            assertThat(waited)
                    .as("time acquire(%s) took while another transaction holds the row", maxWait)
                    .isLessThanOrEqualTo(maxWait.plus(tck().env().slack()));
        } finally {
            rowLock.close();
        }
        Lease lease = lock.tryAcquire()
                .orElseThrow(() -> new AssertionError("the lock cannot be acquired after the other transaction ended"));
        lease.release();
    }
}
