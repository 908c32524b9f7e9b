package dev.leasehold.lock.advisory.internal;

import dev.leasehold.lock.LockBackendException;
import dev.leasehold.lock.LockConfigurationException;
import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.advisory.AdvisoryOptions;
import dev.leasehold.lock.advisory.Takeover;
import dev.leasehold.lock.advisory.internal.HeldKeys.Grant;
import dev.leasehold.lock.spi.AwaitOutcome;
import dev.leasehold.lock.spi.LeaseGrant;
import dev.leasehold.lock.spi.LeaseKey;
import dev.leasehold.lock.spi.LeaseStore;
import dev.leasehold.lock.spi.LeaseStoreEvents;
import dev.leasehold.lock.spi.SqlFailures;
import dev.leasehold.lock.table.internal.LeaseStatements;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL advisory locks plus the lease table of {@code lock-jdbc}, as a {@link LeaseStore}. The advisory lock is
 * what excludes; the lease row carries the fencing token, the expiry by the database clock, and what {@code inspect}
 * shows.
 *
 * <ol>
 *   <li>Each store holds every advisory lock on one <em>session</em> connection, taken from the application's
 *       DataSource or Jdbi, checked at start-up to be a real session ({@link SessionCheck}), and never given back to
 *       a pool while it holds anything. Statements on it are serialised and short; nothing ever waits on it.
 *   <li>Acquire is one statement and one round trip: {@code pg_try_advisory_lock(key)} in a CTE, then, only if the key
 *       was taken, the update of the name's row (token = the row's token + 1), or, when there is no row (a new name,
 *       or one purged), its insert (token = the table's token floor + 1, the floor read with a share lock, which only
 *       this insert takes), then an unlock if the row was not granted. A name whose row the store has seen takes the
 *       update alone, which is cheaper; only if its row turns out missing does a second statement insert it. With
 *       {@link Takeover#IMMEDIATE} a free key over an unexpired row means that the holder's session ended, so the row
 *       is taken over; with {@link Takeover#AFTER_EXPIRY}, or when this session already holds the key for another name
 *       (a hash collision: PostgreSQL stacks the lock), the row must be free or expired.
 *   <li>Renewal ({@code renew}, and {@code renewAll} for every lease in one {@code UPDATE … FROM unnest(…)}) and
 *       release (the guarded row {@code UPDATE} and {@code pg_advisory_unlock} in one statement, committed
 *       asynchronously: a release lost in a crash only delays a takeover, see {@link AdvisoryStatements}) run on the
 *       session.
 *       A release with a minimum hold unlocks too, and leaves the row without an owner but with its expiry at the
 *       hold's end: such a row excludes every acquire, an immediate takeover included, until it expires.
 *       A lease whose row is found gone has its advisory lock given back at once.
 *   <li>Any error that ends the session (SQLState class 08, 57P01–57P05, 25P03, 25P04) loses every lease it held: the
 *       engine is told through {@link LeaseStoreEvents#allLeasesLost}, renewals of the old tokens find nothing, and
 *       the next acquire opens a new session. Nothing is ever renewed or re-locked on another connection.
 *   <li>While it holds leases, a daemon thread checks the session with {@code SELECT 1} whenever it has been idle for
 *       the liveness interval, so a terminated session is reported within that interval plus 100 ms plus a round
 *       trip. The same thread gives back the advisory lock of a lease whose row has run out without a renewal (its
 *       holder's local deadline passed long before), so that a stuck holder never blocks a lock for longer than its
 *       lease.
 *   <li>{@code awaitChange} blocks in the database on a pooled connection, in one statement: queued behind the key's
 *       other waiters (an exclusive transaction-scoped lock on the key's twin in the two-{@code int4} key space), the
 *       head of the queue waits, while a session holds the key, with a <em>shared</em> advisory lock on it under
 *       {@code lock_timeout}, which PostgreSQL grants the moment the holder's lock goes (released, or its session
 *       ended), and gives it back at once. Only one waiter at a time holds that shared lock, and only until it leaves
 *       the queue, so woken waiters never fail each other's attempts. No polling.
 * </ol>
 *
 * <p>Its parts: {@link AdvisorySession} runs every statement on the session ({@link PinnedConnection}) and reports its
 * loss (steps 1 and 4); {@link HeldKeys} counts what the session holds; {@link AdvisoryStatements} is the SQL (steps 2
 * and 3); {@link SessionWatchdog} is step 5, {@link AdvisoryWaiter} step 6; {@link AdvisoryTable} sets up the table.
 *
 * <p>This class is thread-safe.
 */
public final class AdvisoryLeaseStore implements LeaseStore {

    private static final Logger LOG = LoggerFactory.getLogger(AdvisoryLeaseStore.class);

    /** The most names remembered as having a row; past it the memory starts again (each name then costs one insert). */
    private static final int MAX_KNOWN_NAMES = 10_000;

    private final ConnectionSource connections;
    private final String table;
    private final AdvisoryKeys keys;
    private final AdvisoryOptions options;
    private final AdvisoryStatements statements;
    private final HeldKeys held;
    private final AdvisorySession session;
    private final SessionWatchdog watchdog;
    private final AdvisoryWaiter waiter;
    /**
     * Names whose row this store has seen, so that their acquire can take the update alone. Only a hint: a row found
     * missing sends the acquire to the insert. Used under the session lock, like everything on the session.
     */
    private final Set<String> knownNames = new HashSet<>();

    private AdvisoryLeaseStore(
            ConnectionSource connections,
            String table,
            AdvisoryKeys keys,
            LockSettings settings,
            AdvisoryOptions options) {
        this.connections = connections;
        this.table = table;
        this.keys = keys;
        this.options = options;
        this.statements = new AdvisoryStatements(table, settings.rowLockTimeout());
        this.held = new HeldKeys(options.maxLocks());
        this.session = new AdvisorySession(connections, held, table, keys.namespace(), settings.leaseTime());
        this.watchdog = new SessionWatchdog(session, held, options.livenessInterval(), settings.ownerId());
        this.waiter = new AdvisoryWaiter(
                connections,
                statements,
                options.takeover(),
                PinnedConnection.networkTimeoutMillis(settings.leaseTime()),
                settings.ownerId());
    }

    /**
     * Opens the store: checks that the database is PostgreSQL, sets up the lease table as {@code lock-jdbc} does,
     * derives the key namespace from the table's schema and name, and opens the session (with its self-check), so that
     * every configuration problem shows here.
     *
     * @param connections where sessions and pooled connections come from
     * @param jdbi the same database through Jdbi, for the table set-up
     * @throws LockConfigurationException if the database is not PostgreSQL, the table cannot be used, or the
     *     connection is not a real session
     */
    public static AdvisoryLeaseStore open(
            ConnectionSource connections, Jdbi jdbi, LockSettings settings, AdvisoryOptions options) {
        AdvisoryTable table = AdvisoryTable.setUp(connections, jdbi, settings);
        AdvisoryLeaseStore store = new AdvisoryLeaseStore(connections, table.table(), table.keys(), settings, options);
        try {
            store.session.start();
        } catch (SQLException e) {
            store.close();
            throw new LockConfigurationException(
                    "cannot open the advisory session connection (SQLState " + e.getSQLState() + ": " + e.getMessage()
                            + ")",
                    e);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    // ---- LeaseStore --------------------------------------------------------------------------------------------

    @Override
    public void attach(LeaseStoreEvents events) {
        session.attach(events);
    }

    @Override
    public Optional<LeaseGrant> tryAcquire(String name, String owner, Duration leaseTime) throws SQLException {
        long key = keys.key(name);
        return session.acquire(
                () -> {
                    if (held.holds(name)) {
                        // This store holds it: another thread of the manager, or a lease the engine is releasing now.
                        return Optional.empty();
                    }
                    held.checkRoom(name);
                    // A stacked lock proves nothing about the row's holder, so only a free or expired row may be taken.
                    boolean immediate = options.takeover() == Takeover.IMMEDIATE && !held.holdsKey(key);
                    long sentAt = System.nanoTime();
                    Optional<LeaseGrant> grant = acquireRow(immediate, key, name, owner, leaseTime);
                    grant.ifPresent(g -> held.add(name, owner, g.token(), key, sentAt + leaseTime.toNanos()));
                    return grant;
                },
                failure -> {
                    // The statement may have failed after taking the advisory lock, which outlives the failed
                    // transaction.
                    session.recoverKey(key, failure);
                    if ("53200".equals(failure.getSQLState())) {
                        throw sharedMemoryExhausted(name, failure);
                    }
                });
    }

    /**
     * The acquire's statement on the session: for a name whose row this store has seen, the update alone, and only if
     * that finds the row missing (purged) or changed, the statement that can insert it, as for a name never seen. One
     * round trip for every grant but that of a purged name.
     */
    private Optional<LeaseGrant> acquireRow(boolean immediate, long key, String name, String owner, Duration leaseTime)
            throws SQLException {
        if (knownNames.contains(name)) {
            AdvisoryStatements.KnownAttempt attempt =
                    statements.acquireKnown(session.connection(), immediate, key, name, owner, leaseTime);
            if (!attempt.rowUnseen()) {
                return attempt.grant();
            }
        }
        Optional<LeaseGrant> grant = statements.acquire(session.connection(), immediate, key, name, owner, leaseTime);
        if (knownNames.size() >= MAX_KNOWN_NAMES) {
            knownNames.clear();
        }
        knownNames.add(name);
        return grant;
    }

    @Override
    public Optional<Instant> renew(String name, String owner, long token, Duration leaseTime) throws SQLException {
        return session.call("a renewal", Optional.empty(), () -> {
            Grant g = held.find(name, owner, token);
            if (g == null) {
                return Optional.empty();
            }
            long sentAt = System.nanoTime();
            Optional<Instant> expiry = statements.renew(session.connection(), name, owner, token, leaseTime);
            if (expiry.isPresent()) {
                g.expiresAtNanos = sentAt + leaseTime.toNanos();
            } else {
                session.giveBack(List.of(g));
            }
            return expiry;
        });
    }

    @Override
    public Map<String, Instant> renewAll(String owner, Collection<LeaseKey> leases, Duration leaseTime)
            throws SQLException {
        return session.call("a renewal", Map.of(), () -> {
            Collection<Grant> mine = held.find(owner, leases);
            if (mine.isEmpty()) {
                return Map.of();
            }
            long sentAt = System.nanoTime();
            Map<String, Instant> renewed = statements.renewAll(session.connection(), owner, mine, leaseTime);
            List<Grant> gone = new ArrayList<>();
            for (Grant g : mine) {
                if (renewed.containsKey(g.name)) {
                    g.expiresAtNanos = sentAt + leaseTime.toNanos();
                } else {
                    gone.add(g);
                }
            }
            if (!gone.isEmpty()) {
                session.giveBack(gone);
            }
            return renewed;
        });
    }

    @Override
    public boolean release(String name, String owner, long token) throws SQLException {
        return release(name, owner, token, null);
    }

    /**
     * Releases with a minimum hold: the row keeps excluding everyone until the hold ends, by its expiry alone (its
     * owner is cleared, so that a free key over it is not mistaken for an ended session), while the advisory lock is
     * given back at once, so that neither this store's close nor its process's exit ends the hold early.
     */
    @Override
    public boolean releaseAfter(String name, String owner, long token, Duration minHold) throws SQLException {
        return release(name, owner, token, minHold);
    }

    private boolean release(String name, String owner, long token, Duration minHold) throws SQLException {
        return session.call(
                "a release",
                false,
                () -> {
                    Grant g = held.find(name, owner, token);
                    if (g == null) {
                        // Not a lease this session holds (any more): there is nothing of ours to release.
                        return false;
                    }
                    AdvisoryStatements.Release r = minHold == null
                            ? statements.release(session.connection(), name, owner, token, g.key)
                            : statements.releaseAfter(session.connection(), name, owner, token, g.key, minHold);
                    held.remove(g);
                    if (!r.unlocked()) {
                        LOG.warn(
                                "lock '{}' (token {}): its advisory lock was not held by this session when released;"
                                        + " the lease is reported lost",
                                name,
                                token);
                    }
                    return r.released() && r.unlocked();
                },
                failure -> {
                    if (SqlFailures.isLockNotAvailable(failure)) {
                        return; // nothing happened, the advisory lock included: the engine tries again
                    }
                    Grant g = held.find(name, owner, token);
                    held.remove(g);
                    session.recoverKey(g.key, failure);
                });
    }

    /**
     * Purges idle names of the lease table in batches, one statement and one transaction each, on a pooled connection
     * (never the session): as the {@code jdbc} backend does, since the rows are the same. A row whose lease holds, or
     * whose minimum hold lasts, expires in the future and is kept; the advisory locks are not touched (a key nobody
     * holds has nothing to purge).
     */
    @Override
    public long purgeIdle(Duration idleFor) throws SQLException {
        session.checkOpen();
        long since = -LeaseStatements.micros(idleFor);
        long purged = 0;
        try (ConnectionSource.Borrowed b = connections.borrow()) {
            while (true) {
                long[] batch;
                try {
                    batch = statements.purgeBatch(b.connection(), since);
                } catch (SQLException e) {
                    rollbackQuietly(b, e);
                    throw e;
                }
                purged += batch[1];
                if (batch[0] < LeaseStatements.PURGE_BATCH) {
                    return purged;
                }
            }
        }
    }

    private static void rollbackQuietly(ConnectionSource.Borrowed b, SQLException failure) {
        try {
            if (!b.connection().getAutoCommit()) {
                b.connection().rollback();
            }
        } catch (SQLException e) {
            failure.addSuppressed(e);
        }
    }

    @Override
    public Optional<LockInfo> inspect(String name) throws SQLException {
        session.checkOpen();
        try (ConnectionSource.Borrowed b = connections.borrow()) {
            return statements.inspect(b.connection(), name);
        }
    }

    /**
     * Blocks in the database until the name's advisory lock is free or {@code maxWait} passes: queued behind the key's
     * other waiters, a shared advisory lock under {@code lock_timeout} on a pooled connection while a session holds the
     * key, granted the moment the holder unlocks or its session ends, and given back at once. With {@link
     * Takeover#AFTER_EXPIRY}, a free key over an unexpired row then sleeps until the row's expiry (within {@code
     * maxWait}).
     */
    @Override
    public AwaitOutcome awaitChange(String name, Duration maxWait) throws InterruptedException, SQLException {
        session.checkOpen();
        return waiter.awaitChange(keys.key(name), name, maxWait);
    }

    /**
     * Closes the store: gives back every advisory lock ({@code pg_advisory_unlock_all}) and returns the session
     * connection to its pool; if that fails, discards the connection so that its session ends.
     */
    @Override
    public void close() {
        session.close(() -> {
            watchdog.close();
            waiter.close();
        });
    }

    /** The key function of this store's namespace. */
    public AdvisoryKeys keys() {
        return keys;
    }

    /** The quoted, qualified lease table. */
    public String table() {
        return table;
    }

    /** The options this store runs with. */
    public AdvisoryOptions options() {
        return options;
    }

    @Override
    public String toString() {
        return "AdvisoryLeaseStore[" + table + ", " + keys.namespace() + "]";
    }

    private static LockBackendException sharedMemoryExhausted(String name, SQLException e) {
        return new LockBackendException(
                name,
                e.getSQLState(),
                "lock '" + name + "' was not acquired: PostgreSQL's shared lock table is full (SQLState 53200: "
                        + e.getMessage() + "). Not retried. Hold fewer advisory locks (lower "
                        + AdvisoryOptions.MAX_LOCKS_PROPERTY + ") or raise max_locks_per_transaction on the server",
                e);
    }
}
