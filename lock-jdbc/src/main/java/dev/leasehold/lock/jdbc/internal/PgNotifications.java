package dev.leasehold.lock.jdbc.internal;

import dev.leasehold.lock.table.internal.SessionProbe;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import org.jdbi.v3.core.Handle;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on one PostgreSQL connection per store for the table's release notifications, and wakes the waiters of the
 * released name. Started on the first wait, so a manager that never waits holds no extra connection.
 *
 * <p>Each name has a version that grows with every notification; a waiter reads it before it checks the lock and
 * waits for it to change, so a release between the check and the wait is not missed.
 *
 * <p>The first time it starts, it checks that its connection is one database session ({@link SessionProbe}). Behind a
 * pooler in transaction mode (PgBouncer with {@code pool_mode=transaction}) it is not, and {@code LISTEN} cannot work:
 * it would run on whichever server connection the statement got, which then serves other clients. Notifications are
 * then off for good, and waiters retry at their retry delay.
 *
 * <p>This class is thread-safe: its state is guarded by {@code this}, which is also the monitor waiters wait on.
 */
final class PgNotifications implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PgNotifications.class);
    private static final int POLL_MILLIS = 250;

    private final OwnHandles handles;
    private final String channel;
    private final Map<String, Long> versions = new HashMap<>();
    private Handle handle;
    private Thread thread;
    private boolean closed;
    private long epoch;
    private boolean sessionChecked;
    private String notASession;

    PgNotifications(OwnHandles handles, String channel) {
        this.handles = handles;
        this.channel = channel;
    }

    /**
     * Makes sure the connection listens, then returns the name's current version.
     *
     * @return the version, or empty if the connection cannot listen because it is not one database session
     * @throws SQLException if listening fails; the caller then falls back to sleeping
     */
    synchronized OptionalLong startAndGetVersion(String name) throws SQLException {
        if (closed) {
            throw new SQLException("notifications are closed", "08003");
        }
        if (notASession != null || (thread == null && !start())) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(version(name));
    }

    private long version(String name) {
        return epoch + versions.getOrDefault(name, 0L);
    }

    /** Starts listening; returns false, for good, if the connection turns out not to be one session. */
    private boolean start() throws SQLException {
        Handle h = handles.openAutoCommit();
        try {
            if (!sessionChecked) {
                SessionProbe.Result probe = SessionProbe.check(h.getConnection(), work -> {
                    try (Handle other = handles.openAutoCommit()) {
                        work.run(other.getConnection());
                    }
                });
                if (!probe.isSession()) {
                    notASession = probe.problem().orElseThrow();
                    LOG.info(
                            "notifications on {} are off, so waiters retry at their retry delay instead of waking on"
                                    + " release: {}; a pooler in transaction mode (PgBouncer with"
                                    + " pool_mode=transaction) seems to stand in between, where LISTEN cannot work",
                            channel,
                            notASession);
                    h.close();
                    return false;
                }
                sessionChecked = true;
            }
            h.execute("LISTEN " + channel);
            PGConnection pg = h.getConnection().unwrap(PGConnection.class);
            handle = h;
            thread = new Thread(() -> listen(pg), "leasehold-listener-" + channel);
            thread.setDaemon(true);
            thread.start();
            return true;
        } catch (SQLException | RuntimeException e) {
            h.close();
            throw e instanceof SQLException sql ? sql : new SQLException("cannot LISTEN on " + channel, "08000", e);
        }
    }

    private void listen(PGConnection pg) {
        try {
            while (true) {
                synchronized (this) {
                    if (closed) {
                        return;
                    }
                }
                PGNotification[] batch = pg.getNotifications(POLL_MILLIS);
                if (batch != null && batch.length > 0) {
                    synchronized (this) {
                        for (PGNotification n : batch) {
                            versions.merge(n.getParameter(), 1L, Long::sum);
                        }
                        notifyAll();
                    }
                }
            }
        } catch (SQLException | RuntimeException e) {
            synchronized (this) {
                if (!closed) {
                    LOG.warn("listening on {} failed; waiters fall back to their retry delay", channel, e);
                }
                // Every waiter wakes (its version changed) and tries again; the next wait listens anew.
                epoch++;
                thread = null;
                closeHandle();
                notifyAll();
            }
        }
    }

    /**
     * Waits until the name's version differs from {@code since} or {@code maxWait} passes.
     *
     * @return whether the version changed
     */
    synchronized boolean await(String name, long since, Duration maxWait) throws InterruptedException {
        long end = System.nanoTime() + maxWait.toNanos();
        while (version(name) == since && !closed) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000), 0);
        }
        return version(name) != since;
    }

    private void closeHandle() {
        if (handle != null) {
            try {
                handle.close();
            } catch (RuntimeException e) {
                LOG.debug("closing the listening connection failed", e);
            }
            handle = null;
        }
    }

    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            t = thread;
            notifyAll();
        }
        if (t != null) {
            try {
                t.join(Duration.ofMillis(POLL_MILLIS * 4L).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            closeHandle();
        }
    }
}
