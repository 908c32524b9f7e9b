package dev.leasehold.lock.advisory.internal;

import dev.leasehold.lock.advisory.Takeover;
import dev.leasehold.lock.spi.AwaitOutcome;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits in the database, without polling, until an advisory key is free, on a pooled connection (never the session),
 * in one statement ({@link AdvisoryStatements#prepareWait}): queued behind the key's other waiters, the head of the queue
 * waits with a <em>shared</em> advisory lock on the key under {@code lock_timeout} if a session holds the key, which
 * PostgreSQL grants the moment the holder's lock goes (released, or its session ended), and gives it back at once. So a
 * woken waiter never holds the shared lock while another attempts, and waiters never keep each other from the key.
 *
 * <p>The statement runs on a helper thread, so that the caller's interrupt is honoured (the statement is then
 * cancelled on the server), and the caller waits at most its {@code maxWait} plus the session's network timeout, even
 * when the connection goes silent.
 *
 * <p>This class is thread-safe.
 */
final class AdvisoryWaiter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AdvisoryWaiter.class);
    private static final String LOCK_TIMEOUT = "55P03";
    private static final String CANCELLED = "57014";

    private final ConnectionSource connections;
    private final AdvisoryStatements statements;
    private final Takeover takeover;
    private final int networkTimeoutMillis;
    private final ExecutorService threads;
    private final Set<Statement> waiting = ConcurrentHashMap.newKeySet();
    private volatile boolean closing;

    /**
     * A waiter on pooled connections of {@code connections}, with daemon threads named after the owner.
     *
     * @param networkTimeoutMillis how long past its time a wait gives up on a silent connection
     */
    AdvisoryWaiter(
            ConnectionSource connections,
            AdvisoryStatements statements,
            Takeover takeover,
            int networkTimeoutMillis,
            String ownerId) {
        this.connections = connections;
        this.statements = statements;
        this.takeover = takeover;
        this.networkTimeoutMillis = networkTimeoutMillis;
        this.threads = Executors.newCachedThreadPool(DaemonThreads.named("leasehold-advisory-wait-" + ownerId));
    }

    /**
     * Blocks until the key is free or {@code maxWait} passes. With {@link Takeover#AFTER_EXPIRY}, a free key over an
     * unexpired row then sleeps until the row's expiry (within {@code maxWait}).
     */
    AwaitOutcome awaitChange(long key, String name, Duration maxWait) throws InterruptedException, SQLException {
        long start = System.nanoTime();
        long millisToExpiry = waitInDatabase(key, name, maxWait);
        if (millisToExpiry < 0) {
            return AwaitOutcome.TIMED_OUT;
        }
        if (millisToExpiry == 0) {
            return AwaitOutcome.CHANGED;
        }
        long remaining = maxWait.toNanos() - (System.nanoTime() - start);
        long untilExpiry = TimeUnit.MILLISECONDS.toNanos(millisToExpiry + 1);
        if (remaining <= 0) {
            return AwaitOutcome.TIMED_OUT;
        }
        TimeUnit.NANOSECONDS.sleep(Math.min(untilExpiry, remaining));
        return untilExpiry <= remaining ? AwaitOutcome.CHANGED : AwaitOutcome.TIMED_OUT;
    }

    /**
     * Waits on a pooled connection, from a helper thread.
     *
     * @return -1 if the wait timed out; 0 if the key is free (and, after expiry, the row too); otherwise the
     *     milliseconds until the row expires
     */
    private long waitInDatabase(long key, String name, Duration maxWait) throws InterruptedException, SQLException {
        long timeoutMillis = Math.max(1, (maxWait.toNanos() + 999_999) / 1_000_000);
        AtomicReference<Statement> current = new AtomicReference<>();
        AtomicBoolean abandoned = new AtomicBoolean();
        Future<Long> result = threads.submit(() -> {
            try (ConnectionSource.Borrowed b = connections.borrow()) {
                Connection c = b.connection();
                if (!c.getAutoCommit()) {
                    c.setAutoCommit(true); // one statement, one transaction: the queue's lock ends with it
                }
                try (PreparedStatement ps = AdvisoryStatements.prepareWait(c, key, timeoutMillis)) {
                    current.set(ps);
                    waiting.add(ps);
                    try {
                        if (abandoned.get() || closing) {
                            return -1L;
                        }
                        ps.executeQuery().close();
                    } catch (SQLException e) {
                        // Even a lock_timeout may be reported for a lock that was granted in the same instant; and a
                        // cancel may come between the grant and the unlock.
                        giveBackSharedLock(b, key);
                        if (LOCK_TIMEOUT.equals(e.getSQLState()) || CANCELLED.equals(e.getSQLState())) {
                            return -1L;
                        }
                        throw e;
                    } finally {
                        waiting.remove(ps);
                    }
                }
                return takeover == Takeover.IMMEDIATE ? 0L : statements.millisToExpiry(c, name);
            }
        });
        try {
            // lock_timeout ends the wait on the server; this bound ends it when the connection went silent (a server
            // that stopped answering, a cut network) and the driver has no socket timeout.
            return result.get(timeoutMillis + networkTimeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            abandoned.set(true);
            Statement silent = current.get();
            try {
                threads.execute(() -> cancelQuietly(silent)); // the cancel request may itself wait for the server
            } catch (RejectedExecutionException closing) {
                // The store is closing: its threads are stopped and its waits cancelled already.
            }
            result.cancel(true);
            LOG.warn(
                    "waiting for lock '{}' got no answer from the database within {} ms; giving up this wait",
                    name,
                    timeoutMillis + networkTimeoutMillis);
            return -1L;
        } catch (InterruptedException e) {
            abandoned.set(true);
            cancelQuietly(current.get());
            result.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SQLException sql) {
                throw sql;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new SQLException("waiting for lock '" + name + "' failed: " + cause, cause);
        }
    }

    /**
     * Makes sure that the connection goes back to its pool without the wait's shared lock on the key, which would block
     * every acquire of the key for as long as the pool keeps the connection: gives it back, or discards the connection
     * (its session, and the lock, end) if that fails.
     */
    private static void giveBackSharedLock(ConnectionSource.Borrowed b, long key) {
        try {
            AdvisoryStatements.unlockSharedIfHeld(b.connection(), key);
        } catch (SQLException | RuntimeException e) {
            LOG.debug("giving back a wait's shared lock failed; discarding its connection", e);
            b.discard();
        }
    }

    private static void cancelQuietly(Statement statement) {
        if (statement != null) {
            try {
                statement.cancel();
            } catch (SQLException | RuntimeException e) {
                LOG.debug("cancelling a wait failed", e);
            }
        }
    }

    /** Cancels every wait and stops the helper threads; a wait that has not reached the database yet ends at once. */
    @Override
    public void close() {
        closing = true;
        for (Statement st : waiting) {
            cancelQuietly(st);
        }
        threads.shutdownNow();
    }
}
