package dev.leasehold.lock.advisory.internal;

import dev.leasehold.lock.LockBackendException;
import dev.leasehold.lock.LockConfigurationException;
import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.advisory.AdvisoryOptions;
import dev.leasehold.lock.advisory.Takeover;
import dev.leasehold.lock.spi.AwaitOutcome;
import dev.leasehold.lock.spi.LeaseGrant;
import dev.leasehold.lock.spi.LeaseKey;
import dev.leasehold.lock.spi.LeaseStore;
import dev.leasehold.lock.spi.LeaseStoreEvents;
import dev.leasehold.lock.spi.SqlFailures;
import dev.leasehold.lock.table.Dialect;
import dev.leasehold.lock.table.internal.OwnConnections;
import dev.leasehold.lock.table.internal.TableSetup;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL advisory locks plus the lease table of {@code lock-table}, as a {@link LeaseStore}. The advisory lock is
 * what excludes; the lease row carries the fencing token, the expiry by the database clock, and what {@code inspect}
 * shows.
 *
 * <ol>
 *   <li>Each store holds every advisory lock on one <em>session</em> connection, taken from the application's
 *       DataSource or Jdbi, checked at start-up to be a real session ({@link SessionCheck}), and never given back to
 *       a pool while it holds anything. Statements on it are serialised and short; nothing ever waits on it.
 *   <li>Acquire is one statement and one round trip: {@code pg_try_advisory_lock(key)} in a CTE, then the lease-row
 *       upsert of the full name (token = the row's token + 1) only if the key was taken, then an unlock if the row was
 *       not granted. With {@link Takeover#IMMEDIATE} a free key over an unexpired row means that the holder's session
 *       ended, so the row is taken over; with {@link Takeover#AFTER_EXPIRY}, or when this session already holds the
 *       key for another name (a hash collision: PostgreSQL stacks the lock), the row must be free or expired.
 *   <li>Renewal ({@code renew}, and {@code renewAll} for every lease in one {@code UPDATE … FROM unnest(…)}) and
 *       release (the guarded row {@code UPDATE} and {@code pg_advisory_unlock} in one statement) run on the session.
 *       A lease whose row is found gone has its advisory lock given back at once.
 *   <li>Any error that ends the session (SQLState class 08, 57P01–57P05, 25P03, 25P04) loses every lease it held: the
 *       engine is told through {@link LeaseStoreEvents#allLeasesLost}, renewals of the old tokens find nothing, and
 *       the next acquire opens a new session. Nothing is ever renewed or re-locked on another connection.
 *   <li>While it holds leases, a daemon thread checks the session with {@code SELECT 1} whenever it has been idle for
 *       the liveness interval, so a terminated session is reported within that interval plus 100 ms plus a round
 *       trip. The same thread gives back the advisory lock of a lease whose row has run out without a renewal (its
 *       holder's local deadline passed long before), so that a stuck holder never blocks a lock for longer than its
 *       lease.
 *   <li>{@code awaitChange} blocks in the database on a pooled connection: a transaction-scoped <em>shared</em>
 *       advisory lock on the key under {@code lock_timeout}, which PostgreSQL grants the moment the holder's lock goes
 *       (released, or its session ended), then commits at once. No polling.
 * </ol>
 *
 * <p>This class is thread-safe.
 */
public final class AdvisoryLeaseStore implements LeaseStore {

    private static final Logger LOG = LoggerFactory.getLogger(AdvisoryLeaseStore.class);

    private static final long MAX_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final ConnectionSource connections;
    private final String table;
    private final AdvisoryKeys keys;
    private final AdvisoryOptions options;
    private final int networkTimeoutMillis;
    private final int[] keepalives;
    private final long livenessNanos;

    private final String acquireImmediate;
    private final String acquireIfFree;
    private final String renew;
    private final String renewAll;
    private final String release;
    private final String inspect;
    private final String probe;
    private final String lockWait;

    private final ReentrantLock sessionLock = new ReentrantLock();
    // Guarded by sessionLock.
    private Session session;
    private final Map<String, Grant> held = new HashMap<>();
    private final Map<Long, Integer> locksPerKey = new HashMap<>();
    private boolean closed;
    private long lastAliveNanos;

    private volatile int heldCount;
    private volatile boolean closing;
    private volatile LeaseStoreEvents events;
    private final ScheduledExecutorService maintenance;
    private final ExecutorService waiters;
    private final Set<Statement> waiting = ConcurrentHashMap.newKeySet();

    /** The session connection and its backend pid. */
    private record Session(ConnectionSource.Borrowed borrowed, int pid) {
        Connection connection() {
            return borrowed.connection();
        }
    }

    /** One lease this store holds: its row and one count of its key's advisory lock. */
    private static final class Grant {
        final String name;
        final String owner;
        final long token;
        final long key;
        /** When the row runs out by a local estimate taken before the statement that set it; guarded by sessionLock. */
        long expiresAtNanos;

        Grant(String name, String owner, long token, long key, long expiresAtNanos) {
            this.name = name;
            this.owner = owner;
            this.token = token;
            this.key = key;
            this.expiresAtNanos = expiresAtNanos;
        }
    }

    /** Leases lost with a session, to report once the session lock is released. */
    private record Loss(String reason, Throwable cause) {}

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
        long leaseMillis = settings.leaseTime().toMillis();
        this.networkTimeoutMillis =
                (int) OwnConnections.networkTimeout(settings.leaseTime()).toMillis();
        long leaseSeconds = Math.max(1, (leaseMillis + 999) / 1000);
        // The server ends the session of a client it cannot reach after about a lease time (at least 4 s of silence).
        this.keepalives = new int[] {(int) Math.max(1, leaseSeconds / 2), (int) Math.max(1, leaseSeconds / 6), 3};
        this.livenessNanos = options.livenessInterval().toNanos();

        String ttl = "CAST(? AS bigint) * INTERVAL '1 microsecond'";
        // Every statement that writes a row sets lock_timeout for its own transaction first (a materialised CTE the
        // write reads from), so that a row another transaction holds fails it with 55P03 instead of blocking the
        // session, and every lease on it, until that transaction ends.
        String lockWait = "set_config('lock_timeout', ?, true)";
        String acquire = "WITH p AS MATERIALIZED (SELECT CAST(? AS bigint) AS k, CAST(? AS varchar) AS name,"
                + " CAST(? AS varchar) AS owner, " + ttl + " AS ttl, " + lockWait + " AS w),"
                + " l AS MATERIALIZED (SELECT p.*, pg_try_advisory_lock(p.k) AS got FROM p),"
                + " g AS (INSERT INTO " + table + " AS t (lock_name, owner_id, token, acquired_at, expires_at)"
                + " SELECT l.name, l.owner, 1, clock_timestamp(), clock_timestamp() + l.ttl FROM l WHERE l.got"
                + " ON CONFLICT (lock_name) DO UPDATE SET owner_id = EXCLUDED.owner_id, token = t.token + 1,"
                + " acquired_at = clock_timestamp(), expires_at = clock_timestamp() + (SELECT ttl FROM p)"
                + "%s RETURNING t.token, t.expires_at)"
                + " SELECT l.got, g.token, g.expires_at,"
                + " CASE WHEN l.got AND g.token IS NULL THEN pg_advisory_unlock(l.k) END AS undone"
                + " FROM l LEFT JOIN g ON true";
        this.acquireImmediate = String.format(acquire, "");
        this.acquireIfFree = String.format(acquire, " WHERE t.owner_id IS NULL OR t.expires_at <= clock_timestamp()");
        String bounded = "WITH w AS MATERIALIZED (SELECT " + lockWait + " AS v) ";
        this.renew = bounded + "UPDATE " + table + " AS t SET expires_at = clock_timestamp() + " + ttl
                + " FROM w WHERE t.lock_name = ? AND t.owner_id = ? AND t.token = ?"
                + " AND t.expires_at > clock_timestamp() RETURNING t.expires_at";
        this.renewAll = bounded + "UPDATE " + table + " AS t SET expires_at = clock_timestamp() + " + ttl
                + " FROM w, unnest(CAST(? AS varchar[]), CAST(? AS bigint[])) AS k(lock_name, token)"
                + " WHERE t.lock_name = k.lock_name AND t.token = k.token AND t.owner_id = ?"
                + " AND t.expires_at > clock_timestamp() RETURNING t.lock_name, t.expires_at";
        // The unlock reads the update's count, so it runs only once the update went through: a release that fails
        // (say, on lock_timeout) leaves the advisory lock held, and can be tried again.
        this.release = bounded + ", r AS (UPDATE " + table + " AS t SET owner_id = NULL,"
                + " expires_at = clock_timestamp() FROM w WHERE t.lock_name = ? AND t.owner_id = ? AND t.token = ?"
                + " AND t.expires_at > clock_timestamp() RETURNING 1)"
                + " SELECT x.released, pg_advisory_unlock(CAST(? AS bigint)) AS unlocked"
                + " FROM (SELECT count(*) AS released FROM r) x";
        this.lockWait = Math.max(1, settings.rowLockTimeout().toMillis()) + "ms";
        this.inspect = "SELECT owner_id, token, acquired_at, expires_at FROM " + table
                + " WHERE lock_name = ? AND owner_id IS NOT NULL AND expires_at > clock_timestamp()";
        this.probe = "SELECT CASE WHEN owner_id IS NULL OR expires_at <= clock_timestamp() THEN 0"
                + " ELSE CAST(ceil(extract(epoch FROM (expires_at - clock_timestamp())) * 1000) AS bigint) END"
                + " FROM " + table + " WHERE lock_name = ?";

        String owner = settings.ownerId();
        this.maintenance = Executors.newSingleThreadScheduledExecutor(daemon("leasehold-advisory-" + owner));
        this.waiters = Executors.newCachedThreadPool(daemon("leasehold-advisory-wait-" + owner));
        long tick = Math.min(livenessNanos, MAX_TICK_NANOS);
        maintenance.scheduleWithFixedDelay(this::tick, tick, tick, TimeUnit.NANOSECONDS);
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + (n.getAndIncrement() == 0 ? "" : "-" + n.get()));
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Opens the store: checks that the database is PostgreSQL, sets up the lease table ({@code lock-table}),
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
        requirePostgres(connections);
        TableSetup.Result setup = TableSetup.withRetries(() -> {
            try (Handle h = jdbi.open()) {
                return TableSetup.ensure(h.getConnection(), settings);
            }
        });
        AdvisoryKeys keys = AdvisoryKeys.of(namespace(connections, setup.table()));
        AdvisoryLeaseStore store = new AdvisoryLeaseStore(connections, setup.table(), keys, settings, options);
        try {
            store.sessionLock.lock();
            try {
                store.session = store.openSession();
            } finally {
                store.sessionLock.unlock();
            }
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

    private static void requirePostgres(ConnectionSource connections) {
        String product;
        String url;
        try (ConnectionSource.Borrowed b = connections.borrow()) {
            product = b.connection().getMetaData().getDatabaseProductName();
            url = b.connection().getMetaData().getURL();
        } catch (SQLException e) {
            throw new LockConfigurationException(
                    "cannot reach the database (SQLState " + e.getSQLState() + ": " + e.getMessage() + ")", e);
        }
        if (Dialect.of(product).orElse(null) != Dialect.POSTGRESQL) {
            throw new LockConfigurationException("the advisory backend needs PostgreSQL (it keeps locks as PostgreSQL"
                    + " advisory locks), but this database is " + product + " at " + url
                    + "; use the jdbc backend for other databases: Locks.builder().backend(\"jdbc\")");
        }
    }

    private static String namespace(ConnectionSource connections, String table) {
        try (ConnectionSource.Borrowed b = connections.borrow();
                PreparedStatement ps = b.connection()
                        .prepareStatement("SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n"
                                + " ON n.oid = c.relnamespace WHERE c.oid = to_regclass(?)")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new LockConfigurationException("the lock table " + table + " vanished during set-up");
                }
                return AdvisoryKeys.namespaceOf(rs.getString(1), rs.getString(2));
            }
        } catch (SQLException e) {
            throw new LockConfigurationException(
                    "cannot resolve the lock table " + table + " (SQLState " + e.getSQLState() + ")", e);
        }
    }

    // ---- LeaseStore --------------------------------------------------------------------------------------------

    @Override
    public void attach(LeaseStoreEvents events) {
        this.events = events;
    }

    @Override
    public Optional<LeaseGrant> tryAcquire(String name, String owner, Duration leaseTime) throws SQLException {
        long key = keys.key(name);
        Loss loss = null;
        sessionLock.lock();
        try {
            checkOpen();
            if (held.containsKey(name)) {
                // This store holds it: another thread of the manager, or a lease the engine is releasing right now.
                return Optional.empty();
            }
            if (held.size() >= options.maxLocks()) {
                throw tooManyLocks(name);
            }
            if (session == null) {
                session = openSession();
            }
            Session s = session;
            // A stacked lock proves nothing about the row's holder, so only a free or expired row may be taken.
            boolean stacked = locksPerKey.getOrDefault(key, 0) > 0;
            boolean immediate = options.takeover() == Takeover.IMMEDIATE && !stacked;
            long sentAt = System.nanoTime();
            Optional<LeaseGrant> grant;
            try (PreparedStatement ps = s.connection().prepareStatement(immediate ? acquireImmediate : acquireIfFree)) {
                ps.setLong(1, key);
                ps.setString(2, name);
                ps.setString(3, owner);
                ps.setLong(4, micros(leaseTime));
                ps.setString(5, lockWait);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    long token = rs.getLong(2);
                    grant = rs.wasNull() ? Optional.empty() : Optional.of(new LeaseGrant(token, instant(rs, 3)));
                }
            } catch (SQLException e) {
                if (endsSession(e, s)) {
                    loss = loseSession("the session ended during an acquire", e);
                    throw e.getSQLState() != null && e.getSQLState().startsWith("08")
                            ? e
                            : new SQLException("the advisory session ended: " + e.getMessage(), "08006", e);
                }
                // The statement may have failed after taking the advisory lock, which outlives the failed transaction.
                loss = recoverKey(s, key, e);
                if ("53200".equals(e.getSQLState())) {
                    throw sharedMemoryExhausted(name, e);
                }
                throw e;
            }
            lastAliveNanos = sentAt;
            grant.ifPresent(g -> addGrant(new Grant(name, owner, g.token(), key, sentAt + leaseTime.toNanos())));
            return grant;
        } finally {
            sessionLock.unlock();
            report(loss);
        }
    }

    @Override
    public Optional<Instant> renew(String name, String owner, long token, Duration leaseTime) throws SQLException {
        Loss loss = null;
        sessionLock.lock();
        try {
            Grant g = held.get(name);
            if (closed || session == null || !matches(g, owner, token)) {
                return Optional.empty();
            }
            Session s = session;
            long sentAt = System.nanoTime();
            Optional<Instant> expiry;
            try (PreparedStatement ps = s.connection().prepareStatement(renew)) {
                ps.setString(1, lockWait);
                ps.setLong(2, micros(leaseTime));
                ps.setString(3, name);
                ps.setString(4, owner);
                ps.setLong(5, token);
                try (ResultSet rs = ps.executeQuery()) {
                    expiry = rs.next() ? Optional.of(instant(rs, 1)) : Optional.empty();
                }
            } catch (SQLException e) {
                if (endsSession(e, s)) {
                    loss = loseSession("the session ended during a renewal", e);
                    return Optional.empty();
                }
                throw e;
            }
            lastAliveNanos = sentAt;
            if (expiry.isPresent()) {
                g.expiresAtNanos = sentAt + leaseTime.toNanos();
            } else {
                loss = dropGrants(s, List.of(g));
            }
            return expiry;
        } finally {
            sessionLock.unlock();
            report(loss);
        }
    }

    @Override
    public Map<String, Instant> renewAll(String owner, Collection<LeaseKey> leases, Duration leaseTime)
            throws SQLException {
        Loss loss = null;
        sessionLock.lock();
        try {
            if (closed || session == null) {
                return Map.of();
            }
            Map<String, Grant> mine = new LinkedHashMap<>();
            for (LeaseKey lease : leases) {
                Grant g = held.get(lease.name());
                if (matches(g, owner, lease.token())) {
                    mine.put(lease.name(), g);
                }
            }
            if (mine.isEmpty()) {
                return Map.of();
            }
            Session s = session;
            Connection c = s.connection();
            String[] names = new String[mine.size()];
            Long[] tokens = new Long[mine.size()];
            int i = 0;
            for (Grant g : mine.values()) {
                names[i] = g.name;
                tokens[i++] = g.token;
            }
            long sentAt = System.nanoTime();
            Map<String, Instant> renewed = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement(renewAll)) {
                Array nameArray = c.createArrayOf("varchar", names);
                Array tokenArray = c.createArrayOf("bigint", tokens);
                ps.setString(1, lockWait);
                ps.setLong(2, micros(leaseTime));
                ps.setArray(3, nameArray);
                ps.setArray(4, tokenArray);
                ps.setString(5, owner);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        renewed.put(rs.getString(1), instant(rs, 2));
                    }
                }
            } catch (SQLException e) {
                if (endsSession(e, s)) {
                    loss = loseSession("the session ended during a renewal", e);
                    return Map.of();
                }
                throw e;
            }
            lastAliveNanos = sentAt;
            List<Grant> gone = new ArrayList<>();
            for (Grant g : mine.values()) {
                if (renewed.containsKey(g.name)) {
                    g.expiresAtNanos = sentAt + leaseTime.toNanos();
                } else {
                    gone.add(g);
                }
            }
            if (!gone.isEmpty()) {
                loss = dropGrants(s, gone);
            }
            return renewed;
        } finally {
            sessionLock.unlock();
            report(loss);
        }
    }

    @Override
    public boolean release(String name, String owner, long token) throws SQLException {
        Loss loss = null;
        sessionLock.lock();
        try {
            Grant g = held.get(name);
            if (closed || session == null || !matches(g, owner, token)) {
                // Not a lease this session holds (any more): there is nothing of ours to release.
                return false;
            }
            Session s = session;
            boolean released;
            boolean unlocked;
            try (PreparedStatement ps = s.connection().prepareStatement(release)) {
                ps.setString(1, lockWait);
                ps.setString(2, name);
                ps.setString(3, owner);
                ps.setLong(4, token);
                ps.setLong(5, g.key);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    released = rs.getLong(1) == 1;
                    unlocked = rs.getBoolean(2);
                }
            } catch (SQLException e) {
                if (endsSession(e, s)) {
                    removeGrant(g);
                    loss = loseSession("the session ended during a release", e);
                    return false;
                }
                if (SqlFailures.isLockNotAvailable(e)) {
                    throw e; // nothing happened, the advisory lock included: the engine tries again
                }
                removeGrant(g);
                loss = recoverKey(s, g.key, e);
                throw e;
            }
            removeGrant(g);
            lastAliveNanos = System.nanoTime();
            if (!unlocked) {
                LOG.warn(
                        "lock '{}' (token {}): its advisory lock was not held by this session when released;"
                                + " the lease is reported lost",
                        name,
                        token);
            }
            return released && unlocked;
        } finally {
            sessionLock.unlock();
            report(loss);
        }
    }

    @Override
    public Optional<LockInfo> inspect(String name) throws SQLException {
        checkOpenQuietly();
        try (ConnectionSource.Borrowed b = connections.borrow();
                PreparedStatement ps = b.connection().prepareStatement(inspect)) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new LockInfo(name, rs.getString(1), rs.getLong(2), instant(rs, 3), instant(rs, 4)));
            }
        }
    }

    /**
     * Blocks in the database until the name's advisory lock is free or {@code maxWait} passes: a transaction-scoped
     * shared advisory lock under {@code lock_timeout} on a pooled connection, granted the moment the holder unlocks or
     * its session ends, and released at once. With {@link Takeover#AFTER_EXPIRY}, a free key over an unexpired row
     * then sleeps until the row's expiry (within {@code maxWait}).
     */
    @Override
    public AwaitOutcome awaitChange(String name, Duration maxWait) throws InterruptedException, SQLException {
        checkOpenQuietly();
        long start = System.nanoTime();
        long millisToExpiry = waitInDatabase(keys.key(name), name, maxWait);
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
     * Waits on a pooled connection, from a helper thread so that the caller's interrupt is honoured: on interrupt the
     * statement is cancelled on the server. The caller waits at most {@code maxWait} plus the session's network
     * timeout, even when the connection goes silent.
     *
     * @return -1 if the wait timed out; 0 if the key is free (and, after expiry, the row too); otherwise the
     *     milliseconds until the row expires
     */
    private long waitInDatabase(long key, String name, Duration maxWait) throws InterruptedException, SQLException {
        long timeoutMillis = Math.max(1, (maxWait.toNanos() + 999_999) / 1_000_000);
        AtomicReference<Statement> current = new AtomicReference<>();
        AtomicBoolean abandoned = new AtomicBoolean();
        Future<Long> result = waiters.submit(() -> {
            try (ConnectionSource.Borrowed b = connections.borrow()) {
                Connection c = b.connection();
                if (!c.getAutoCommit()) {
                    c.setAutoCommit(true); // one statement, one transaction: the shared lock ends with it
                }
                try (PreparedStatement ps = c.prepareStatement("WITH c AS MATERIALIZED"
                        + " (SELECT set_config('lock_timeout', ?, true) AS v)"
                        + " SELECT pg_advisory_xact_lock_shared(CAST(? AS bigint)) FROM c")) {
                    current.set(ps);
                    waiting.add(ps);
                    try {
                        if (abandoned.get() || closing) {
                            return -1L;
                        }
                        ps.setString(1, timeoutMillis + "ms");
                        ps.setLong(2, key);
                        ps.executeQuery().close();
                    } catch (SQLException e) {
                        if (isTimeout(e)) {
                            return -1L;
                        }
                        throw e;
                    } finally {
                        waiting.remove(ps);
                    }
                }
                if (options.takeover() == Takeover.IMMEDIATE) {
                    return 0L;
                }
                try (PreparedStatement ps = c.prepareStatement(probe)) {
                    ps.setString(1, name);
                    try (ResultSet rs = ps.executeQuery()) {
                        return rs.next() ? Math.max(0, rs.getLong(1)) : 0L;
                    }
                }
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
                waiters.execute(() -> cancelQuietly(silent)); // the cancel request may itself wait for the server
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

    private static boolean isTimeout(SQLException e) {
        String state = e.getSQLState();
        return "55P03".equals(state) || "57014".equals(state);
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

    /**
     * Closes the store: gives back every advisory lock ({@code pg_advisory_unlock_all}) and returns the session
     * connection to its pool; if that fails, discards the connection so that its session ends.
     */
    @Override
    public void close() {
        Session s;
        sessionLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            closing = true;
            s = session;
            session = null;
            clearGrants();
        } finally {
            sessionLock.unlock();
        }
        stopThreads();
        if (s != null) {
            try (Statement st = s.connection().createStatement()) {
                st.execute("SELECT pg_advisory_unlock_all(); RESET tcp_keepalives_idle;"
                        + " RESET tcp_keepalives_interval; RESET tcp_keepalives_count");
            } catch (SQLException | RuntimeException e) {
                LOG.debug("could not unlock the session cleanly; discarding it", e);
                s.borrowed().discard();
                return;
            }
            s.borrowed().close();
        }
    }

    // ---- Test hooks and diagnostics ----------------------------------------------------------------------------

    /**
     * Test hook: crashes the store as process death would: its session connection is closed without unlocking (the
     * server frees its advisory locks as the session ends), its rows stay until they expire.
     */
    public void crashForTests() {
        Session s;
        sessionLock.lock();
        try {
            closed = true;
            closing = true;
            s = session;
            session = null;
            clearGrants();
        } finally {
            sessionLock.unlock();
        }
        stopThreads();
        if (s != null) {
            s.borrowed().discard();
        }
    }

    /** The backend pid of the session connection, when one is open. */
    public OptionalInt sessionPid() {
        sessionLock.lock();
        try {
            return session == null ? OptionalInt.empty() : OptionalInt.of(session.pid());
        } finally {
            sessionLock.unlock();
        }
    }

    /** How many advisory locks (one per held lease) the session holds. */
    public int heldLockCount() {
        return heldCount;
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

    /** The connections this store uses. */
    public ConnectionSource connections() {
        return connections;
    }

    @Override
    public String toString() {
        return "AdvisoryLeaseStore[" + table + ", " + keys.namespace() + "]";
    }

    // ---- Session management (all guarded by sessionLock) -------------------------------------------------------

    private Session openSession() throws SQLException {
        ConnectionSource.Borrowed b = connections.borrow();
        try {
            Connection c = b.connection();
            if (!c.getAutoCommit()) {
                c.setAutoCommit(true);
            }
            try {
                c.setNetworkTimeout(Runnable::run, networkTimeoutMillis);
            } catch (SQLFeatureNotSupportedException e) {
                LOG.debug("the driver has no network timeout; a cut connection is noticed by the heartbeat only");
            }
            int pid = SessionCheck.verify(c, work -> {
                try (ConnectionSource.Borrowed other = connections.borrow()) {
                    work.run(other.connection());
                }
            });
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT set_config('tcp_keepalives_idle', ?, false),"
                            + " set_config('tcp_keepalives_interval', ?, false), set_config('tcp_keepalives_count', ?, false)")) {
                ps.setString(1, Integer.toString(keepalives[0]));
                ps.setString(2, Integer.toString(keepalives[1]));
                ps.setString(3, Integer.toString(keepalives[2]));
                ps.executeQuery().close();
            }
            lastAliveNanos = System.nanoTime();
            LOG.debug("opened the advisory session (backend pid {}) for {}", pid, keys.namespace());
            return new Session(b, pid);
        } catch (SQLException | RuntimeException e) {
            b.discard();
            throw e;
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the advisory lease store of " + table + " is closed");
        }
    }

    private void checkOpenQuietly() {
        if (closing) {
            throw new IllegalStateException("the advisory lease store of " + table + " is closed");
        }
    }

    private static boolean matches(Grant g, String owner, long token) {
        return g != null && g.token == token && g.owner.equals(owner);
    }

    private void addGrant(Grant g) {
        held.put(g.name, g);
        locksPerKey.merge(g.key, 1, Integer::sum);
        heldCount = held.size();
    }

    private void removeGrant(Grant g) {
        if (held.remove(g.name, g)) {
            locksPerKey.computeIfPresent(g.key, (k, n) -> n == 1 ? null : n - 1);
        }
        heldCount = held.size();
    }

    private void clearGrants() {
        held.clear();
        locksPerKey.clear();
        heldCount = 0;
    }

    /** Whether a failure on the session means that the session is gone (or can no longer be trusted). */
    private static boolean endsSession(SQLException e, Session s) {
        return SqlFailures.endsSession(e) || s.borrowed().isPhysicallyClosed();
    }

    /**
     * Ends the session: every lease it held is lost, its connection discarded (so that nothing it might still hold
     * outlives it), and the next acquire opens a new one.
     *
     * @return the loss to report, or null when it held nothing
     */
    private Loss loseSession(String why, Throwable cause) {
        int lost = held.size();
        Session s = session;
        session = null;
        clearGrants();
        if (s != null) {
            s.borrowed().discard();
        }
        if (lost == 0) {
            LOG.debug("the advisory session ended while it held no lock: {}", why, cause);
            return null;
        }
        String state = cause instanceof SQLException sql && sql.getSQLState() != null
                ? "SQLState " + sql.getSQLState() + ": "
                : "";
        String reason = "its database session ended, and its advisory lock with it (" + why + "; " + state
                + (cause == null ? "no error" : cause.getMessage()) + ")";
        LOG.warn("{} leases lost: {}", lost, reason);
        return new Loss(reason, cause);
    }

    /**
     * After a statement that may have taken {@code key}'s advisory lock failed without ending the session: if this
     * session should hold no count of the key, gives back any it holds; if it should hold some, the count is unknown,
     * so the session is ended instead (its leases are lost).
     */
    private Loss recoverKey(Session s, long key, SQLException failure) {
        if (locksPerKey.getOrDefault(key, 0) > 0) {
            return loseSession(
                    "a statement failed while the session held the same key for another name, so how many times"
                            + " it holds the key is unknown",
                    failure);
        }
        try (PreparedStatement ps = s.connection()
                .prepareStatement("SELECT pg_advisory_unlock(CAST(? AS bigint)) FROM pg_locks WHERE locktype ="
                        + " 'advisory' AND pid = pg_backend_pid() AND objsubid = 1 AND granted"
                        + " AND classid::bigint = (CAST(? AS bigint) >> 32) & 4294967295"
                        + " AND objid::bigint = CAST(? AS bigint) & 4294967295")) {
            ps.setLong(1, key);
            ps.setLong(2, key);
            ps.setLong(3, key);
            ps.executeQuery().close();
            return null;
        } catch (SQLException e) {
            e.addSuppressed(failure);
            return loseSession("the advisory lock of a failed statement could not be given back", e);
        }
    }

    /** Gives back the advisory locks of leases whose rows are gone, in one statement. */
    private Loss dropGrants(Session s, Collection<Grant> grants) {
        Long[] keysToUnlock = new Long[grants.size()];
        int i = 0;
        for (Grant g : grants) {
            removeGrant(g);
            keysToUnlock[i++] = g.key;
        }
        try (PreparedStatement ps = s.connection()
                .prepareStatement("SELECT pg_advisory_unlock(k) FROM unnest(CAST(? AS bigint[])) AS u(k)")) {
            ps.setArray(1, s.connection().createArrayOf("bigint", keysToUnlock));
            ps.executeQuery().close();
            return null;
        } catch (SQLException e) {
            return loseSession("the advisory locks of leases that ran out could not be given back", e);
        }
    }

    private void report(Loss loss) {
        if (loss == null) {
            return;
        }
        LeaseStoreEvents listener = events;
        if (listener != null) {
            try {
                listener.allLeasesLost(loss.reason(), loss.cause());
            } catch (RuntimeException e) {
                LOG.error("reporting lost leases failed", e);
            }
        }
    }

    // ---- The maintenance thread --------------------------------------------------------------------------------

    /**
     * Runs every 100 ms (or the liveness interval, if shorter) while the store holds leases: gives back the advisory
     * locks of leases that ran out without a renewal, and checks the session when it has been idle for the liveness
     * interval.
     */
    private void tick() {
        if (heldCount == 0) {
            return;
        }
        Loss loss = null;
        try {
            if (!sessionLock.tryLock(50, TimeUnit.MILLISECONDS)) {
                return; // a statement is running on the session: it notices a dead session itself
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try {
            if (closed || session == null || held.isEmpty()) {
                return;
            }
            Session s = session;
            long now = System.nanoTime();
            List<Grant> ranOut = new ArrayList<>();
            for (Grant g : held.values()) {
                if (now - g.expiresAtNanos >= 0) {
                    ranOut.add(g);
                }
            }
            if (!ranOut.isEmpty()) {
                for (Grant g : ranOut) {
                    LOG.warn(
                            "lock '{}' (token {}) ran out without a renewal; giving back its advisory lock",
                            g.name,
                            g.token);
                }
                loss = dropGrants(s, ranOut);
            }
            if (loss == null && session != null && !held.isEmpty() && now - lastAliveNanos >= livenessNanos) {
                try (Statement st = s.connection().createStatement()) {
                    st.execute("SELECT 1");
                    lastAliveNanos = now;
                } catch (SQLException e) {
                    loss = loseSession(
                            endsSession(e, s) ? "the liveness check found it gone" : "the liveness check failed", e);
                }
            }
        } catch (RuntimeException e) {
            LOG.error("the advisory maintenance of {} failed", table, e);
        } finally {
            sessionLock.unlock();
            report(loss);
        }
    }

    private void stopThreads() {
        maintenance.shutdownNow();
        for (Statement st : waiting) {
            cancelQuietly(st);
        }
        waiters.shutdownNow();
        try {
            maintenance.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- Helpers -----------------------------------------------------------------------------------------------

    private LockBackendException tooManyLocks(String name) {
        return new LockBackendException(
                name,
                null,
                "lock '" + name + "' was not acquired: this manager already holds " + held.size()
                        + " advisory locks, its cap (" + AdvisoryOptions.MAX_LOCKS_PROPERTY + " = "
                        + options.maxLocks() + "). Release some first, or raise the cap if the server's lock table"
                        + " (max_locks_per_transaction × max_connections) leaves room for more",
                null);
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

    private static long micros(Duration leaseTime) {
        return Math.max(1, leaseTime.toNanos() / 1_000);
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        return rs.getObject(column, OffsetDateTime.class).toInstant();
    }
}
