package dev.leasehold.lock.advisory.internal;

import dev.leasehold.lock.advisory.internal.HeldKeys.Grant;
import dev.leasehold.lock.spi.LeaseStoreEvents;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one database session that holds every advisory lock of a store, and the single way work runs on it: its {@link
 * PinnedConnection} while it lasts, the leases it holds ({@link HeldKeys}), and the call skeleton of {@link #call},
 * {@link #acquire} and {@link #maintain}.
 *
 * <p>Any error that ends the session ({@link PinnedConnection#endedBy}) loses every lease it held: the loss is recorded once, the connection discarded (so that nothing it might still hold
 * outlives it), and the engine told through {@link LeaseStoreEvents#allLeasesLost} once the session lock is released.
 * Nothing is ever renewed or re-locked on another connection: the next acquire opens a new session.
 *
 * <p>This class is thread-safe: everything on the session runs under one lock, and nothing waits on it.
 */
final class AdvisorySession {

    private static final Logger LOG = LoggerFactory.getLogger(AdvisorySession.class);

    /** Work on the session, under its lock, through {@link #connection()}. */
    @FunctionalInterface
    interface Work<T> {
        T run() throws SQLException;
    }

    /** What a call does, under the lock, after its work failed without ending the session; the failure is rethrown. */
    @FunctionalInterface
    interface OnFailure {
        void failed(SQLException failure) throws SQLException;
    }

    /** Leases lost with a session, to report once the session lock is released. */
    private record Loss(String reason, Throwable cause) {}

    private final ConnectionSource connections;
    private final HeldKeys held;
    private final String table;
    private final String namespace;
    private final Duration leaseTime;

    private final ReentrantLock lock = new ReentrantLock();
    // Guarded by lock.
    private PinnedConnection pinned;
    private Loss loss;

    private volatile boolean closed;
    private volatile LeaseStoreEvents events;

    /**
     * A session to be opened by {@link #start()}.
     *
     * @param table the lease table, for messages
     * @param namespace the key namespace, for the log
     */
    AdvisorySession(ConnectionSource connections, HeldKeys held, String table, String namespace, Duration leaseTime) {
        this.connections = connections;
        this.held = held;
        this.table = table;
        this.namespace = namespace;
        this.leaseTime = leaseTime;
    }

    /** Sets where lost leases are reported. */
    void attach(LeaseStoreEvents events) {
        this.events = events;
    }

    /** Opens the session, so that a connection that is not a real session fails at start-up. */
    void start() throws SQLException {
        lock.lock();
        try {
            pinned = PinnedConnection.open(connections, leaseTime, namespace);
        } finally {
            lock.unlock();
        }
    }

    /** @throws IllegalStateException if the store is closed */
    void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the advisory lease store of " + table + " is closed");
        }
    }

    /**
     * Runs an acquire: like {@link #call}, but opens a session when there is none, and fails when the session ends.
     *
     * @throws IllegalStateException if the store is closed
     * @throws SQLException of SQLState class 08 if the session ended during the acquire, so that it is tried again
     */
    <T> T acquire(Work<T> work, OnFailure onFailure) throws SQLException {
        return call(true, "an acquire", null, work, onFailure);
    }

    /** Runs {@link #call(String, Object, Work, OnFailure)} with nothing to do after a failure. */
    <T> T call(String during, T gone, Work<T> work) throws SQLException {
        return call(false, during, gone, work, failure -> {});
    }

    /**
     * Runs work on the session's leases: takes the session lock, answers {@code gone} if the store is closed or has no
     * session, and runs {@code work}. If the work fails with an error that ends the session, the loss is recorded and
     * the connection discarded, and the call answers {@code gone}; any other failure goes to {@code onFailure} and is
     * rethrown. A loss is reported once the lock is released.
     *
     * @param during what the work is, for the reason of a loss ("a renewal")
     */
    <T> T call(String during, T gone, Work<T> work, OnFailure onFailure) throws SQLException {
        return call(false, during, gone, work, onFailure);
    }

    private <T> T call(boolean acquiring, String during, T gone, Work<T> work, OnFailure onFailure)
            throws SQLException {
        lock.lock();
        try {
            if (acquiring) {
                checkOpen();
                if (pinned == null) {
                    pinned = PinnedConnection.open(connections, leaseTime, namespace);
                }
            } else if (closed || pinned == null) {
                return gone;
            }
            PinnedConnection s = pinned;
            s.beginCall();
            T answer;
            try {
                answer = work.run();
            } catch (SQLException e) {
                if (!s.endedBy(e)) {
                    onFailure.failed(e);
                    throw e;
                }
                lose("the session ended during " + during, e);
                if (!acquiring) {
                    return gone;
                }
                throw e.getSQLState() != null && e.getSQLState().startsWith("08")
                        ? e
                        : new SQLException("the advisory session ended: " + e.getMessage(), "08006", e);
            }
            s.callSucceeded();
            return answer;
        } finally {
            unlockAndReport();
        }
    }

    /**
     * Runs maintenance on the session's leases, unless a call holds the lock for longer than {@code patienceMillis} (a
     * statement running on the session notices a dead session itself), the store is closed, or the session holds
     * nothing. A failure of the work is logged; a loss is reported once the lock is released.
     */
    void maintain(long patienceMillis, Runnable work) {
        try {
            if (!lock.tryLock(patienceMillis, TimeUnit.MILLISECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try {
            if (closed || pinned == null || held.isEmpty()) {
                return;
            }
            PinnedConnection s = pinned;
            s.beginCall();
            work.run();
            s.callSucceeded();
        } catch (RuntimeException e) {
            LOG.error("the advisory maintenance of {} failed", table, e);
        } finally {
            unlockAndReport();
        }
    }

    /** The session connection, for the work of a call ({@link PinnedConnection#connection()}). */
    Connection connection() {
        return pinned.connection();
    }

    /** Whether the session is open: not closed, and not ended. For the work of a call. */
    boolean isOpen() {
        return !closed && pinned != null;
    }

    /** Whether the session has not answered for {@code nanos} before {@code nowNanos}. For the work of a call. */
    boolean idleFor(long nanos, long nowNanos) {
        return pinned.idleFor(nanos, nowNanos);
    }

    /** Checks with a round trip that the session answers; if it does not, the session ends. For the work of a call. */
    void checkAlive() {
        PinnedConnection s = pinned;
        try {
            AdvisoryStatements.ping(connection());
        } catch (SQLException e) {
            lose(s.endedBy(e) ? "the liveness check found it gone" : "the liveness check failed", e);
        }
    }

    /**
     * After a statement that may have taken {@code key}'s advisory lock failed without ending the session: if this
     * session should hold no count of the key, gives back any it holds; if it should hold some, the count is unknown,
     * so the session is ended instead (its leases are lost). For the work of a call.
     */
    void recoverKey(long key, SQLException failure) {
        if (held.holdsKey(key)) {
            lose(
                    "a statement failed while the session held the same key for another name, so how many times"
                            + " it holds the key is unknown",
                    failure);
            return;
        }
        try {
            AdvisoryStatements.unlockIfHeld(connection(), key);
        } catch (SQLException e) {
            e.addSuppressed(failure);
            lose("the advisory lock of a failed statement could not be given back", e);
        }
    }

    /**
     * Forgets leases whose rows are gone and gives back their advisory locks, in one statement; if that fails, the
     * session ends. For the work of a call.
     */
    void giveBack(Collection<Grant> grants) {
        Long[] keys = held.drop(grants);
        try {
            AdvisoryStatements.unlock(connection(), keys);
        } catch (SQLException e) {
            lose("the advisory locks of leases that ran out could not be given back", e);
        }
    }

    /**
     * Closes the session: no call runs on it once this begins; then {@code stopping} runs (to stop what uses it), every
     * advisory lock is given back and the connection returned to its pool, or discarded if that fails. Only the first
     * close does anything.
     */
    void close(Runnable stopping) {
        PinnedConnection s;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            s = pinned;
            pinned = null;
            held.clear();
        } finally {
            lock.unlock();
        }
        stopping.run();
        if (s != null) {
            s.close();
        }
    }

    // ---- Under the lock ------------------------------------------------------------------------------------------

    /**
     * Ends the session: every lease it held is lost, its connection discarded (so that nothing it might still hold
     * outlives it), and the next acquire opens a new one. The loss is recorded for {@link #unlockAndReport()}.
     */
    private void lose(String why, Throwable cause) {
        PinnedConnection s = pinned;
        if (s == null) {
            return; // ended already, and its loss recorded
        }
        int lost = held.clear();
        pinned = null;
        s.discard();
        if (lost == 0) {
            LOG.debug("the advisory session ended while it held no lock: {}", why, cause);
            return;
        }
        String state = cause instanceof SQLException sql && sql.getSQLState() != null
                ? "SQLState " + sql.getSQLState() + ": "
                : "";
        String reason = "its database session ended, and its advisory lock with it (" + why + "; " + state
                + (cause == null ? "no error" : cause.getMessage()) + ")";
        LOG.warn("{} leases lost with the session of backend pid {}: {}", lost, s.pid(), reason);
        loss = new Loss(reason, cause);
    }

    private void unlockAndReport() {
        Loss lost = loss;
        loss = null;
        lock.unlock();
        if (lost == null) {
            return;
        }
        LeaseStoreEvents listener = events;
        if (listener != null) {
            try {
                listener.allLeasesLost(lost.reason(), lost.cause());
            } catch (RuntimeException e) {
                LOG.error("reporting lost leases failed", e);
            }
        }
    }
}
