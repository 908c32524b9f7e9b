package dev.leasehold.lock.advisory.internal;

import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.advisory.internal.HeldKeys.Grant;
import dev.leasehold.lock.spi.LeaseGrant;
import dev.leasehold.lock.table.Dialect;
import dev.leasehold.lock.table.internal.LeaseStatements;
import dev.leasehold.lock.table.internal.PostgresStatements;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The SQL of the advisory backend over one lease table: every statement the store sends, each as a method that runs it
 * on the connection it is given and reads the answer.
 *
 * <p>Every statement that writes a row sets {@code lock_timeout} for its own transaction first (a materialised CTE the
 * write reads from), so that a row another transaction holds fails it with 55P03 instead of blocking the session, and
 * every lease on it, until that transaction ends.
 *
 * <p>This class is thread-safe: it is immutable, and each connection it is given is the caller's to guard.
 */
final class AdvisoryStatements {

    private static final String TTL = "CAST(? AS bigint) * INTERVAL '1 microsecond'";
    private static final String LOCK_WAIT = "set_config('lock_timeout', ?, true)";

    /** {@link #prepareWait}: queue on the key's twin, then wait for the key only while a session holds it. */
    private static final String WAIT = "WITH c AS MATERIALIZED"
            + " (SELECT set_config('lock_timeout', ?, true) AS v, clock_timestamp() AS t0),"
            + " q AS MATERIALIZED (SELECT c.t0, pg_advisory_xact_lock(CAST(? AS int), CAST(? AS int)) AS x FROM c),"
            // In the select list, so that it looks only once this waiter is at the head of the queue.
            + " h AS MATERIALIZED (SELECT q.t0, EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory'"
            + " AND l.mode = 'ExclusiveLock' AND l.granted AND l.objsubid = 1"
            + " AND l.classid::bigint = (CAST(? AS bigint) >> 32) & 4294967295"
            + " AND l.objid::bigint = CAST(? AS bigint) & 4294967295"
            + " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            + " AND q.t0 IS NOT NULL) AS held FROM q),"
            + " t AS MATERIALIZED (SELECT set_config('lock_timeout', greatest(1, CAST(? AS bigint)"
            + " - CAST(extract(epoch FROM clock_timestamp() - h.t0) * 1000 AS bigint)) || 'ms', true) AS v"
            + " FROM h WHERE h.held),"
            + " s AS MATERIALIZED (SELECT pg_advisory_lock_shared(CAST(? AS bigint)) AS x FROM t)"
            + " SELECT pg_advisory_unlock_shared(CAST(? AS bigint)) FROM s";

    private final String acquireImmediate;
    private final String acquireIfFree;
    private final String acquireKnownImmediate;
    private final String acquireKnownIfFree;
    private final String renew;
    private final String renewAll;
    private final String release;
    private final String releaseAfter;
    private final String inspect;
    private final String probe;
    private final String purgeBatch;
    private final String ensureFloor;
    /** The value of {@code lock_timeout} for the statements that write a row. */
    private final String lockWait;

    /** What a release did: whether it released the row, and whether it gave back the advisory lock. */
    record Release(boolean released, boolean unlocked) {}

    /**
     * What the acquire of a known name found ({@link #acquireKnown}): the grant, if any; and, when nothing was granted
     * although the key was taken, whether the row must be looked at by {@link #acquire}, because it is missing (purged)
     * or changed after the statement's snapshot was taken, rather than held.
     */
    record KnownAttempt(Optional<LeaseGrant> grant, boolean rowUnseen) {}

    /**
     * The statements over {@code table}.
     *
     * @param table the quoted, qualified lease table
     * @param rowLockTimeout how long a write waits for a row another transaction holds (at least 1 ms)
     */
    AdvisoryStatements(String table, Duration rowLockTimeout) {
        PostgresStatements rows =
                (PostgresStatements) LeaseStatements.of(Dialect.POSTGRESQL, table, rowLockTimeout, "PostgreSQL");
        // Once the key is taken, the row of a known name is updated in place (u), which never touches the token
        // floor's row. Only when that updated nothing and the row, as the statement's snapshot sees it, is not one that
        // excludes (a minimum hold, or an unexpired row that may not be taken over) does the insert run (g): the name
        // is new, or its row was purged since the snapshot was taken; only then is the floor read, share-locked, so
        // that a purge raising it is waited for. A row that excludes in the snapshot was held at that moment: reported
        // held.
        String tryLockThenUpdate = "WITH p AS MATERIALIZED (SELECT CAST(? AS bigint) AS k, CAST(? AS varchar) AS name,"
                + " CAST(? AS varchar) AS owner, " + TTL + " AS ttl, " + LOCK_WAIT + " AS w),"
                + " l AS MATERIALIZED (SELECT p.*, pg_try_advisory_lock(p.k) AS got FROM p),"
                + " u AS (UPDATE " + table + " AS t SET owner_id = l.owner, token = t.token + 1,"
                + " acquired_at = clock_timestamp(), expires_at = clock_timestamp() + l.ttl FROM l"
                + " WHERE l.got AND t.lock_name = l.name AND (%1$s) RETURNING t.token, t.acquired_at, t.expires_at)";
        // A row that excludes, as the statement's snapshot sees it (%2$s is the grant condition over e).
        String excludingRow = "EXISTS (SELECT 1 FROM " + table + " e WHERE e.lock_name = l.name AND NOT (%2$s))";
        String acquire = tryLockThenUpdate + ","
                + " g AS (INSERT INTO " + table + " AS t (lock_name, owner_id, token, acquired_at, expires_at)"
                + " SELECT l.name, l.owner, " + rows.floor() + " + 1, clock_timestamp(), clock_timestamp() + l.ttl"
                + " FROM l WHERE l.got AND NOT EXISTS (SELECT 1 FROM u) AND NOT " + excludingRow
                + " ON CONFLICT (lock_name) DO UPDATE SET owner_id = EXCLUDED.owner_id, token = t.token + 1,"
                + " acquired_at = clock_timestamp(), expires_at = clock_timestamp() + (SELECT ttl FROM p)"
                + " WHERE %1$s RETURNING t.token, t.acquired_at, t.expires_at),"
                + " r AS (SELECT * FROM u UNION ALL SELECT * FROM g)"
                + " SELECT l.got, r.token, r.expires_at, r.acquired_at,"
                + " CASE WHEN l.got AND r.token IS NULL THEN pg_advisory_unlock(l.k) END AS undone"
                + " FROM l LEFT JOIN r ON true";
        // A row without an owner whose expiry lies ahead is a minimum hold after a release (releaseAfter): nobody's
        // session holds its key, yet it excludes until it expires, so even an immediate takeover waits for its expiry.
        String immediate = "t.owner_id IS NOT NULL OR t.expires_at <= clock_timestamp()";
        String ifFree = "t.expires_at <= clock_timestamp()";
        this.acquireImmediate = String.format(acquire, immediate, immediate.replace("t.", "e."));
        this.acquireIfFree = String.format(acquire, ifFree, ifFree.replace("t.", "e."));
        // A name whose row this store has seen takes the update alone: without the insert, whose set-up (an ON
        // CONFLICT insert and its look-ups, in the plan of every call even when it inserts nothing) cost about a fifth
        // of the statement's server time. When the key was taken but nothing granted, the same look-up as the
        // insert's guard says whether the row excludes (held: the answer) or not (missing, or changed since the
        // snapshot: the caller runs the insert path); it runs only then, behind CASE, so a grant never executes it.
        String acquireKnown = tryLockThenUpdate
                + " SELECT l.got, u.token, u.expires_at, u.acquired_at,"
                + " CASE WHEN l.got AND u.token IS NULL THEN pg_advisory_unlock(l.k) END AS undone,"
                + " CASE WHEN l.got AND u.token IS NULL THEN NOT " + excludingRow + " ELSE false END AS unseen"
                + " FROM l LEFT JOIN u ON true";
        this.acquireKnownImmediate = String.format(acquireKnown, immediate, immediate.replace("t.", "e."));
        this.acquireKnownIfFree = String.format(acquireKnown, ifFree, ifFree.replace("t.", "e."));
        // The lease row's statements are the lease table's own (lock-table); only the acquire, which takes the
        // advisory lock in the same statement, and the release's unlock are this backend's.
        this.renew = rows.renew();
        this.renewAll = rows.renewAll();
        // The unlock reads the update's count, so it runs only once the update went through: a release that fails
        // (say, on lock_timeout) leaves the advisory lock held, and can be tried again.
        //
        // Committed asynchronously (synchronous_commit = off for its own transaction only), which saves the release a
        // WAL flush. Losing it in a server crash costs only a delay, never a second holder or a repeated token: every
        // grant commits durably, and its flush carries every earlier commit's WAL with it, so a release that any
        // later grant saw is never lost; a release that is lost leaves its row with an owner and an unexpired lease,
        // while the crash ended every session and with it the advisory lock, so after the restart a free key over
        // that row is an ended session: Takeover.IMMEDIATE grants it at once, AFTER_EXPIRY once the row expires
        // (and inspect shows the old holder until then). A release with a minimum hold stays durable (releaseAfter).
        this.release = rows.releaseCte(true)
                + "SELECT x.released, pg_advisory_unlock(CAST(? AS bigint)) AS unlocked"
                + " FROM (SELECT count(*) AS released FROM released) x";
        // A hold cannot keep the owner here: a free key over a row with an owner means that its session ended, which an
        // immediate takeover acts on.
        this.releaseAfter = rows.releaseAfterCte(false)
                + "SELECT x.released, pg_advisory_unlock(CAST(? AS bigint)) AS unlocked"
                + " FROM (SELECT count(*) AS released FROM released) x";
        this.inspect = rows.inspect();
        // By the expiry alone, as this backend's acquire judges a row: a hold has no owner but lasts until it expires.
        this.probe = "SELECT CASE WHEN expires_at <= clock_timestamp() THEN 0"
                + " ELSE CAST(ceil(extract(epoch FROM (expires_at - clock_timestamp())) * 1000) AS bigint) END"
                + " FROM " + table + " WHERE lock_name = ?";
        this.lockWait = rows.lockWait();
        this.purgeBatch = rows.purgeBatch();
        this.ensureFloor = rows.ensureFloor();
    }

    /** The key namespace of the lease table ({@link AdvisoryKeys#namespaceOf}), or empty if there is no such table. */
    static Optional<String> namespace(Connection c, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n"
                + " ON n.oid = c.relnamespace WHERE c.oid = to_regclass(?)")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next()
                        ? Optional.of(AdvisoryKeys.namespaceOf(rs.getString(1), rs.getString(2)))
                        : Optional.empty();
            }
        }
    }

    /**
     * Sets the session's TCP keepalives (idle seconds, interval seconds, probe count), so that the server ends it when
     * it cannot reach the client.
     */
    static void setKeepalives(Connection c, int[] keepalives) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT set_config('tcp_keepalives_idle', ?, false),"
                + " set_config('tcp_keepalives_interval', ?, false), set_config('tcp_keepalives_count', ?, false)")) {
            ps.setString(1, Integer.toString(keepalives[0]));
            ps.setString(2, Integer.toString(keepalives[1]));
            ps.setString(3, Integer.toString(keepalives[2]));
            ps.executeQuery().close();
        }
    }

    /**
     * Acquire of any name in one statement: {@code pg_try_advisory_lock(key)}, then, only if the key was taken, the
     * update of the name's row (token = the row's token + 1) or, when there is none, its insert (token = the floor +
     * 1), then an unlock if the row was not granted.
     *
     * @param immediate whether an unexpired row may be taken over (its holder's session ended), or only a free or
     *     expired one
     * @return the grant, or empty if the key or the row is held
     */
    Optional<LeaseGrant> acquire(
            Connection c, boolean immediate, long key, String name, String owner, Duration leaseTime)
            throws SQLException {
        try (PreparedStatement ps =
                        prepareAcquire(c, immediate ? acquireImmediate : acquireIfFree, key, name, owner, leaseTime);
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return grant(rs);
        }
    }

    /**
     * Acquire of a name whose row is expected to exist, in one statement: {@code pg_try_advisory_lock(key)}, then, only
     * if the key was taken, the update of the row under the same conditions as {@link #acquire}, then an unlock if the
     * row was not granted. Writes nothing when the key is held. When the key was taken but the row neither granted
     * nor excluding (it is missing, or changed since the snapshot), the answer says so, and the caller runs {@link
     * #acquire}.
     */
    KnownAttempt acquireKnown(Connection c, boolean immediate, long key, String name, String owner, Duration leaseTime)
            throws SQLException {
        try (PreparedStatement ps = prepareAcquire(
                        c, immediate ? acquireKnownImmediate : acquireKnownIfFree, key, name, owner, leaseTime);
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return new KnownAttempt(grant(rs), rs.getBoolean(6));
        }
    }

    private PreparedStatement prepareAcquire(
            Connection c, String sql, long key, String name, String owner, Duration leaseTime) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        try {
            ps.setLong(1, key);
            ps.setString(2, name);
            ps.setString(3, owner);
            ps.setLong(4, micros(leaseTime));
            ps.setString(5, lockWait);
            return ps;
        } catch (SQLException | RuntimeException e) {
            ps.close();
            throw e;
        }
    }

    /** The grant of an acquire's answer (columns: got, token, expires_at, acquired_at), or empty if none. */
    private static Optional<LeaseGrant> grant(ResultSet rs) throws SQLException {
        long token = rs.getLong(2);
        return rs.wasNull() ? Optional.empty() : Optional.of(new LeaseGrant(token, instant(rs, 4), instant(rs, 3)));
    }

    /**
     * One purge batch of the lease table ({@link PostgresStatements#purgeBatch()}) in a transaction of its own: the
     * connection must be in auto-commit mode, or is committed here. If the token floor's row is missing (deleted by
     * hand), it is put back and the batch reported full, so that the caller runs another.
     *
     * @param since minus the idle age, in microseconds
     * @return the rows the batch read as idle and the rows it deleted
     */
    long[] purgeBatch(Connection c, long since) throws SQLException {
        long[] counts;
        try (PreparedStatement ps = c.prepareStatement(purgeBatch)) {
            ps.setString(1, lockWait);
            ps.setLong(2, since);
            ps.setLong(3, since);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                counts = new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)};
            }
        }
        if (counts[0] == 0) {
            try (Statement st = c.createStatement()) {
                st.executeUpdate(ensureFloor);
            }
            counts = new long[] {1, LeaseStatements.PURGE_BATCH, 0};
        }
        if (!c.getAutoCommit()) {
            c.commit();
        }
        return new long[] {counts[1], counts[2]};
    }

    /** Extends one unexpired lease; returns its new expiry, or empty if its row is gone. */
    Optional<Instant> renew(Connection c, String name, String owner, long token, Duration leaseTime)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(renew)) {
            ps.setString(1, lockWait);
            ps.setLong(2, micros(leaseTime));
            ps.setString(3, name);
            ps.setString(4, owner);
            ps.setLong(5, token);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(instant(rs, 1)) : Optional.empty();
            }
        }
    }

    /** Extends many unexpired leases of one owner in one {@code UPDATE … FROM unnest(…)}; returns the new expiries. */
    Map<String, Instant> renewAll(Connection c, String owner, Collection<Grant> grants, Duration leaseTime)
            throws SQLException {
        String[] names = new String[grants.size()];
        Long[] tokens = new Long[grants.size()];
        int i = 0;
        for (Grant g : grants) {
            names[i] = g.name;
            tokens[i++] = g.token;
        }
        Map<String, Instant> renewed = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(renewAll)) {
            ps.setString(1, lockWait);
            ps.setLong(2, micros(leaseTime));
            ps.setArray(3, c.createArrayOf("varchar", names));
            ps.setArray(4, c.createArrayOf("bigint", tokens));
            ps.setString(5, owner);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    renewed.put(rs.getString(1), instant(rs, 2));
                }
            }
        }
        return renewed;
    }

    /** The guarded row {@code UPDATE} and, once it went through, {@code pg_advisory_unlock(key)}, in one statement. */
    Release release(Connection c, String name, String owner, long token, long key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(release)) {
            ps.setString(1, lockWait);
            ps.setString(2, name);
            ps.setString(3, owner);
            ps.setLong(4, token);
            ps.setLong(5, key);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Release(rs.getLong(1) == 1, rs.getBoolean(2));
            }
        }
    }

    /**
     * The guarded release with a minimum hold ({@link PostgresStatements#releaseAfterCte}, without the owner) and, once
     * it went through, {@code pg_advisory_unlock(key)}, in one statement: the row then excludes by its expiry alone.
     */
    Release releaseAfter(Connection c, String name, String owner, long token, long key, Duration minHold)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(releaseAfter)) {
            ps.setString(1, lockWait);
            ps.setLong(2, micros(minHold));
            ps.setString(3, name);
            ps.setString(4, owner);
            ps.setLong(5, token);
            ps.setLong(6, key);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Release(rs.getLong(1) == 1, rs.getBoolean(2));
            }
        }
    }

    /** The holder of an unexpired lease on the name, if any. */
    Optional<LockInfo> inspect(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(inspect)) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getInt(5) != 1) {
                    return Optional.empty();
                }
                return Optional.of(new LockInfo(name, rs.getString(1), rs.getLong(2), instant(rs, 3), instant(rs, 4)));
            }
        }
    }

    /**
     * The wait for a key to be free, prepared but not run, so that it can be cancelled. One statement in one
     * (auto-commit) transaction:
     *
     * <ol>
     *   <li>the waiter queues: an exclusive transaction-scoped advisory lock on the same key in PostgreSQL's other key
     *       space (two {@code int4}, which this backend uses for nothing else), so that only one waiter of a key at a
     *       time goes on, the head of the queue;
     *   <li>only if some session holds the key exclusively ({@code pg_locks}), the head waits for it: a shared lock on
     *       the key, granted the moment the holder unlocks or its session ends, and given back in the same statement;
     *   <li>the commit releases the queue, and the next waiter looks at the key.
     * </ol>
     *
     * <p>A shared lock on the key fails every {@code pg_try_advisory_lock} on it while it lasts. Taken by every waiter at
     * once, the woken waiters' shared locks failed each other's attempts, and each failed waiter's next wait was granted
     * at once on the free key, so that they kept the key blocked among themselves for as long as timing allowed. Here
     * only the head of the queue takes the shared lock, only while the key is held, and gives it back before it leaves
     * the queue; the waiters behind it find the key free and go straight on. The shared lock is session-scoped so that
     * it can be given back before the commit: a transaction's locks are released one by one, and a backend descheduled
     * between the queue's release and the key's would block the key for the next waiters.
     *
     * <p>Each of the two waits is bounded by {@code lock_timeout}, the second by what the first left of {@code
     * timeoutMillis}; running out fails the statement with 55P03. A failed statement may leave the shared lock held
     * (PostgreSQL can report a timeout or a cancel for a lock it granted in the same instant), so give it back after any
     * failure ({@link #unlockSharedIfHeld}).
     *
     * @return the statement, which answers one row if it waited for a holder and none if the key was free
     */
    static PreparedStatement prepareWait(Connection c, long key, long timeoutMillis) throws SQLException {
        PreparedStatement ps = c.prepareStatement(WAIT);
        try {
            ps.setString(1, timeoutMillis + "ms");
            ps.setInt(2, (int) (key >>> 32));
            ps.setInt(3, (int) key);
            ps.setLong(4, key);
            ps.setLong(5, key);
            ps.setLong(6, timeoutMillis);
            ps.setLong(7, key);
            ps.setLong(8, key);
            return ps;
        } catch (SQLException | RuntimeException e) {
            ps.close();
            throw e;
        }
    }

    /** Gives back the session's shared lock on the key, if it holds one: after a wait ({@link #prepareWait}) failed. */
    static void unlockSharedIfHeld(Connection c, long key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_unlock_shared(CAST(? AS bigint))"
                + " FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND objsubid = 1 AND granted"
                + " AND mode = 'ShareLock' AND classid::bigint = (CAST(? AS bigint) >> 32) & 4294967295"
                + " AND objid::bigint = CAST(? AS bigint) & 4294967295")) {
            ps.setLong(1, key);
            ps.setLong(2, key);
            ps.setLong(3, key);
            ps.executeQuery().close();
        }
    }

    /** The milliseconds until the name's row expires: 0 when it is free, expired or missing. */
    long millisToExpiry(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(probe)) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Math.max(0, rs.getLong(1)) : 0L;
            }
        }
    }

    /** Gives back one count of the key's advisory lock, only if this session holds it. */
    static void unlockIfHeld(Connection c, long key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_unlock(CAST(? AS bigint)) FROM pg_locks"
                + " WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND objsubid = 1 AND granted"
                + " AND classid::bigint = (CAST(? AS bigint) >> 32) & 4294967295"
                + " AND objid::bigint = CAST(? AS bigint) & 4294967295")) {
            ps.setLong(1, key);
            ps.setLong(2, key);
            ps.setLong(3, key);
            ps.executeQuery().close();
        }
    }

    /** Gives back one count of each key's advisory lock, in one statement. */
    static void unlock(Connection c, Long[] keys) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("SELECT pg_advisory_unlock(k) FROM unnest(CAST(? AS bigint[])) AS u(k)")) {
            ps.setArray(1, c.createArrayOf("bigint", keys));
            ps.executeQuery().close();
        }
    }

    /** A round trip that proves the session answers. */
    static void ping(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("SELECT 1");
        }
    }

    /** Gives back every advisory lock of the session and resets its keepalives, before it goes back to a pool. */
    static void unlockAll(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("SELECT pg_advisory_unlock_all(); RESET tcp_keepalives_idle;"
                    + " RESET tcp_keepalives_interval; RESET tcp_keepalives_count");
        }
    }

    private static long micros(Duration leaseTime) {
        return LeaseStatements.micros(leaseTime);
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        return Dialect.POSTGRESQL.instant(rs, column);
    }
}
