package dev.leasehold.lock.tck;

import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.core.LeaseLockManager;
import dev.leasehold.lock.core.internal.EngineAccess;
import dev.leasehold.lock.spi.LeaseStore;
import java.time.Duration;
import java.util.Optional;

/**
 * What a backend gives the TCK: managers over one shared store, and a way to crash one. Everything else is an
 * optional capability; a test that needs a capability the fixture lacks aborts and says which.
 *
 * <p>Backends built on a {@link LeaseStore} extend {@link LeaseStoreFixture}, which offers every capability.
 *
 * <p>Implementations must be thread-safe.
 */
public interface TckFixture extends AutoCloseable {

    /**
     * A new manager over the shared store, built with exactly these settings (lease time, heartbeat, retries, owner
     * id); the fixture adds the resource it keeps locks in. Managers made by different calls must share the store.
     */
    LockManager newManager(LockSettings settings);

    /**
     * Crashes the manager as its process would: its leases are abandoned, never released, and its heartbeats stop.
     * The default abandons a {@link LeaseLockManager}; a backend whose locks live in a connection (advisory locks)
     * also closes that connection without unlocking.
     */
    default void crash(LockManager manager) {
        if (manager instanceof LeaseLockManager) {
            EngineAccess.abandon(manager);
            return;
        }
        throw new UnsupportedOperationException(
                "crash is not implemented for " + manager.getClass().getName() + ": override TckFixture.crash");
    }

    /**
     * Optional: the raw store the manager uses (without injected faults), for rules checked at the store level. Empty
     * when the backend is not built on a {@link LeaseStore}.
     */
    default Optional<LeaseStore> store(LockManager manager) {
        return Optional.empty();
    }

    /** Optional: fault injection into the manager's store, and call counts. */
    default Optional<Faults> faults(LockManager manager) {
        return Optional.empty();
    }

    /**
     * Optional: kills the manager's database connections from the server side (for example {@code
     * pg_terminate_backend}).
     *
     * @throws UnsupportedOperationException if the fixture cannot
     */
    default void killConnections(LockManager manager) {
        throw new UnsupportedOperationException("this fixture cannot kill a manager's connections");
    }

    /**
     * Optional: runs {@code body} on the calling thread inside an open application transaction, begun through the
     * resource {@code manager} was built with the way an application would begin one (a Jdbi transaction, a JDBC
     * connection with auto-commit off, an EntityManager transaction), and rolls that transaction back when {@code body}
     * returns or throws.
     *
     * @throws UnsupportedOperationException if the fixture cannot
     */
    default void inApplicationTransaction(LockManager manager, Runnable body) {
        throw new UnsupportedOperationException("this fixture cannot open an application transaction");
    }

    /**
     * Optional: locks the store's row of the lock {@code name} (which exists: the lock was held before) in a
     * transaction of its own on a connection of its own, as an administrator's open {@code UPDATE} or a long
     * application transaction would, and keeps it locked until the returned handle is closed, which ends that
     * transaction.
     *
     * @throws UnsupportedOperationException if the fixture cannot
     */
    default AutoCloseable lockRow(String name) {
        throw new UnsupportedOperationException("this fixture cannot lock a lock's row from another transaction");
    }

    /**
     * Optional: restarts the database the managers use, as a crash of the server would: an immediate shutdown (every
     * session and connection ends at once, nothing is checkpointed), {@code downtime} without a server, then a start
     * with the same data. Returns once the database accepts connections again. A fixture over a database it shares with
     * others (such as the test database every test uses) must not restart it, and keeps this default.
     *
     * @param downtime how long the database stays down, zero or more
     * @throws UnsupportedOperationException if the fixture cannot (the default)
     */
    default void restartDatabase(Duration downtime) {
        throw new UnsupportedOperationException("this fixture cannot restart its database (TckFixture.restartDatabase):"
                + " run the restart rules over a database of the test's own, such as"
                + " dev.leasehold.lock.testing.OwnedPostgres of lock-testing");
    }

    /**
     * Optional: makes the manager's store fail from the inside, as its own connections fail when the network or the
     * database fails under them, until the returned handle is closed: every connection the store asks for fails with a
     * connection failure (SQLState 08001), and every statement it executes on its open connections fails with a
     * transient failure that leaves the database session alive (SQLState 40001), so that a store whose locks live in
     * its session keeps them. Where the managers of a fixture share their connections, the others' stores fail too. A
     * store without connections (in memory) fails each operation with SQLState 40001 instead. This is fault injection
     * inside the store: how the store reports a failure is what the rules check, unlike {@link #faults}, which injects
     * failures around it.
     *
     * @return a handle whose {@code close()} ends the failures
     * @throws UnsupportedOperationException if the fixture cannot (the default)
     */
    default AutoCloseable failInsideStore(LockManager manager) {
        throw new UnsupportedOperationException("this fixture cannot make its store's own connections fail"
                + " (TckFixture.failInsideStore); put a DataSource that can fail, such as FailingDataSource of"
                + " lock-testing, in front of each store's pool");
    }

    /**
     * Optional: skews the clock the store judges expiry by against the test JVM's wall clock by {@code offset}
     * (negative for behind), for the stores of every manager, old and new; {@link Duration#ZERO} ends the skew. The
     * engine and the test keep the JVM's clocks. What moves depends on where the store's clock lives:
     *
     * <ul>
     *   <li>A store whose clock lives in the JVM (the in-memory reference store, given a {@code Clock}) gets a clock
     *       that runs {@code offset} ahead of the JVM's, so a store that mixes its clock with the client's is caught.
     *   <li>A store that takes every time from its database keeps that clock: no test can move a database's clock.
     *       The fixture moves the local time the store's sessions see instead, through their session time zones: UTC
     *       plus {@code offset} for some sessions and UTC minus {@code offset} for others (managers taking the two in
     *       turn, or successive sessions where managers share a pool), so that sessions disagree about local time by
     *       twice the offset. A store that reads, writes or computes with the session's local time ({@code NOW()} or
     *       {@code LOCALTIMESTAMP} into a timestamp without time zone, an epoch computed from a local time, a
     *       timestamp read through the session's zone) then grants a held lock, keeps a crashed holder's lock for
     *       hours, or reports an expiry hours off. {@code SessionZoneDataSource} of lock-testing, in front of each
     *       store's pool, does it on PostgreSQL, MariaDB and H2; sessions a store keeps open keep their zone.
     * </ul>
     *
     * @param offset how far the store's clock (or its sessions' local time) runs ahead; negative for behind
     * @throws UnsupportedOperationException if the fixture cannot (the default)
     */
    default void skewStoreClock(Duration offset) {
        throw new UnsupportedOperationException("this fixture cannot skew the clock its store judges expiry by"
                + " (TckFixture.skewStoreClock): give a store whose clock lives in the JVM a skewable clock, or give"
                + " the sessions of a store over a database time zones far from UTC, such as through"
                + " SessionZoneDataSource of lock-testing in front of each store's pool");
    }

    /** Frees what the fixture holds (tables, connections). */
    @Override
    default void close() throws Exception {}
}
