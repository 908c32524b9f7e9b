package dev.leasehold.lock.table.internal;

import dev.leasehold.lock.table.Dialect;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;

/**
 * The lease statements of PostgreSQL: one statement and one round trip for each operation (a release that someone
 * waits for is followed by its notification, {@link #notifyWaiters()}), judged by {@code clock_timestamp()}. Each
 * statement that writes first sets {@code lock_timeout} for its own transaction ({@code set_config(…, true)}, so that
 * it is set before any row lock is waited for): a row that another transaction holds makes the statement fail with
 * 55P03 after {@code rowLockTimeout} instead of waiting for that transaction to end. The setting ends with the
 * statement's transaction. Most statements set it in a materialised CTE that the write reads from, and take that
 * timeout, {@link #lockWait()}, as their first parameter; the two that every lock runs, {@link #acquireKnown()} and
 * {@link #releaseReturningAwaited}, set it in the write's own condition instead ({@link #BOUND_IN_WHERE}), which costs
 * the database less, and take it where their parameter lists say.
 *
 * <p>This class is immutable and thread-safe.
 */
public final class PostgresStatements extends LeaseStatements {

    /** Commits the statement's transaction asynchronously, for that transaction only. */
    private static final String ASYNCHRONOUS_COMMIT = ", set_config('synchronous_commit', 'off', true) AS a";

    private final long lockWaitMillis;
    private final String lockWait;

    PostgresStatements(String table, Duration rowLockTimeout) {
        super(Dialect.POSTGRESQL, table, "");
        this.lockWaitMillis = Math.max(1, rowLockTimeout.toMillis());
        this.lockWait = lockWaitMillis + "ms";
    }

    /** The value of every statement's first parameter: the row lock timeout, as {@code lock_timeout} takes it. */
    public String lockWait() {
        return lockWait;
    }

    /** The row lock timeout, but at most {@code atMost} (at least 1 ms), as {@code lock_timeout} takes it. */
    public String lockWaitAtMost(Duration atMost) {
        return Math.max(1, Math.min(lockWaitMillis, ceilMillis(atMost))) + "ms";
    }

    /**
     * The channel on which releases notify waiters ({@code pg_notify}) and waiters {@code LISTEN}: a fixed prefix and a
     * hash of the table's qualified name, so that it is a plain identifier within PostgreSQL's 63 bytes.
     */
    public String channel() {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(table.getBytes(StandardCharsets.UTF_8));
            return "leasehold_" + HexFormat.of().formatHex(hash, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /**
     * The condition that bounds a write's row-lock waits without a CTE: {@code set_config} is volatile, so PostgreSQL
     * neither hoists it out of the scan nor makes it an index condition; it is a filter on the row, evaluated before the
     * row is locked, and a row that does not pass the other conditions is not locked (nor waited for) at all. About 5 µs
     * less per statement on the database than {@link #bounded}'s join with a materialised CTE, in the two statements of
     * every acquire and release. Parameter: lock wait.
     */
    private static final String BOUND_IN_WHERE = " AND set_config('lock_timeout', ?, true) IS NOT NULL";

    /** The CTE that bounds a statement's row-lock waits; the write reads from {@code w}, so it runs first. */
    private static String bounded(String moreSettings) {
        return "WITH w AS MATERIALIZED (SELECT set_config('lock_timeout', ?, true) AS v" + moreSettings + ") ";
    }

    /**
     * Acquire of a name this store has not seen, or whose row is gone: {@code INSERT … ON CONFLICT DO UPDATE … WHERE
     * free or expired}; the token is the row's previous token plus one, computed by the statement that wins, or for a
     * new row the token floor plus one, read with a share lock (so it waits for a purge that is raising it). Parameters:
     * lock wait, name, owner, lease microseconds. Returns token, acquired_at, expires_at, or nothing when the lock is
     * held.
     */
    public String acquireNew() {
        return bounded("") + ", f AS MATERIALIZED (SELECT " + floor() + " AS floor FROM w)"
                + " INSERT INTO " + table + " AS t (lock_name, owner_id, token, acquired_at, expires_at)"
                + " SELECT ?, ?, f.floor + 1, clock_timestamp(), " + dialect.nowPlusMicros("?") + " FROM f"
                + " ON CONFLICT (lock_name) DO UPDATE SET owner_id = EXCLUDED.owner_id, token = t.token + 1,"
                + " acquired_at = EXCLUDED.acquired_at, expires_at = EXCLUDED.expires_at"
                + " WHERE t.owner_id IS NULL OR t.expires_at <= clock_timestamp()"
                + " RETURNING token, acquired_at, expires_at";
    }

    /**
     * Acquire of a known name: a conditional {@code UPDATE … RETURNING}, which matches nothing, writes no WAL and takes
     * no transaction id when the lock is held, and in the same statement whether the row exists, so that a name whose
     * row a purge deleted takes {@link #acquireNew()} instead of looking held forever; that look-up runs only when the
     * update granted nothing, so a grant costs one index scan. The row-lock wait is bounded by {@link #BOUND_IN_WHERE}.
     * Parameters: owner, lease microseconds, name, lock wait, name. Returns one row: token, acquired_at, expires_at
     * (NULL when nothing was granted) and whether the row exists.
     */
    public String acquireKnown() {
        return "WITH u AS (UPDATE " + table + " AS t SET owner_id = ?, token = t.token + 1,"
                + " acquired_at = clock_timestamp(), expires_at = " + dialect.nowPlusMicros("?")
                + " WHERE t.lock_name = ? AND (t.owner_id IS NULL OR t.expires_at <= clock_timestamp())"
                + BOUND_IN_WHERE
                + " RETURNING t.token, t.acquired_at, t.expires_at)"
                // The look-up runs only when nothing was granted: an InitPlan behind CASE is never executed otherwise.
                + " SELECT u.token, u.acquired_at, u.expires_at, CASE WHEN u.token IS NULL THEN EXISTS (SELECT 1 FROM "
                + table + " e WHERE e.lock_name = ?) ELSE true END FROM (SELECT 1) AS one LEFT JOIN u ON true";
    }

    /**
     * One purge batch in one statement and one transaction: locks the token floor's row ({@code FOR UPDATE}), reads up
     * to {@link #PURGE_BATCH} idle rows ({@link #idleBatch()}), raises the floor to the largest of their tokens, and
     * deletes those rows that are still idle, with a token at most the new floor, as the {@code DELETE} sees them (a
     * row granted in between is kept). Parameters: lock wait, minus the idle age in microseconds (twice). Returns one
     * row: whether the floor's row was there (1 or 0), the rows read, the rows deleted.
     */
    public String purgeBatch() {
        String idleSince = dialect.nowPlusMicros("?");
        return bounded("") + ", s AS MATERIALIZED (SELECT t.token FROM " + table + " t, w WHERE t.lock_name = ''"
                + " FOR UPDATE OF t), b AS MATERIALIZED (SELECT t.lock_name, t.token FROM " + table + " t, s"
                + " WHERE t.lock_name <> '' AND t.expires_at < " + idleSince + " LIMIT " + PURGE_BATCH + "),"
                + " f AS (UPDATE " + table + " t SET token = GREATEST(t.token, (SELECT COALESCE(max(b.token), 0)"
                + " FROM b)) FROM s WHERE t.lock_name = '' RETURNING t.token),"
                + " d AS (DELETE FROM " + table + " t USING b, f WHERE t.lock_name = b.lock_name"
                + " AND t.expires_at < " + idleSince + " AND t.token <= f.token RETURNING 1)"
                + " SELECT (SELECT count(*) FROM s), (SELECT count(*) FROM b), (SELECT count(*) FROM d)";
    }

    /**
     * Renews one lease. Parameters: lock wait, lease microseconds, name, owner, token. Returns expires_at, or nothing
     * when the lease is gone.
     */
    public String renew() {
        return bounded("") + "UPDATE " + table + " AS t SET expires_at = " + dialect.nowPlusMicros("?")
                + " FROM w WHERE t.lock_name = ? AND t.owner_id = ? AND t.token = ?"
                + " AND t.expires_at > clock_timestamp() RETURNING t.expires_at";
    }

    /**
     * Renews many leases of one owner in one statement. Parameters: lock wait, lease microseconds, names (varchar[]),
     * tokens (bigint[]), owner. Returns lock_name, expires_at of each lease renewed.
     */
    public String renewAll() {
        return bounded("") + "UPDATE " + table + " AS t SET expires_at = " + dialect.nowPlusMicros("?")
                + " FROM w, unnest(CAST(? AS varchar[]), CAST(? AS bigint[])) AS k(lock_name, token)"
                + " WHERE t.lock_name = k.lock_name AND t.token = k.token AND t.owner_id = ?"
                + " AND t.expires_at > clock_timestamp() RETURNING t.lock_name, t.expires_at";
    }

    /**
     * The guarded release as a CTE named {@code released} (returning {@code lock_name}), committed asynchronously
     * ({@code synchronous_commit = off} for its own transaction only: a release lost in a crash only delays expiry), for
     * a backend to finish with what it does after a release ({@code pg_notify}, {@code pg_advisory_unlock}).
     * Parameters: lock wait, name, owner, token; then the backend's own.
     */
    public String releaseCte(boolean asynchronous) {
        return releaseCte(asynchronous, "t.lock_name");
    }

    private String releaseCte(boolean asynchronous, String returning) {
        return bounded(asynchronous ? ASYNCHRONOUS_COMMIT : "")
                + ", released AS (UPDATE " + table + " AS t SET owner_id = NULL, expires_at = clock_timestamp()"
                + " FROM w WHERE t.lock_name = ? AND t.owner_id = ? AND t.token = ?"
                + " AND t.expires_at > clock_timestamp() RETURNING " + returning + ") ";
    }

    /*
     * Waking waiters in other processes (SPEC R7.6) with NOTIFY only when someone waits. NOTIFY is not free: it
     * serialises committing transactions on a database-wide lock (about 8 % of the throughput with 8 threads). A
     * waiter, once it LISTENs, announces itself in the row instead of reading it (announceWaiter): it sets wake_until
     * to at least the end of its wait. A release notifies only when the row it released has wake_until ahead (it
     * returns that, and the store then sends notifyWaiters); when nobody waits it is the same single statement, with
     * one comparison more and no notification.
     *
     * No wake-up is lost: the waiter's announcement is an UPDATE of the row, so it and a release, which updates the
     * same row, are ordered by the row lock. A release that commits first leaves the row free, and the announcement
     * (which PostgreSQL re-evaluates on the row's newest version after waiting for the lock) matches nothing: the
     * waiter is told the lock changed and tries at once. A release that comes after the announcement (or waits for its
     * row lock) reads the row with wake_until set, and notifies; the waiter, listening since before it announced,
     * hears it. The waiter waits no longer than the time it announced, counted from before its statement was sent, so
     * a release never skips a notification that a still-waiting waiter needs. The notification follows the release's
     * commit in a statement of its own; one that is lost (the process dies between the two, the statement fails)
     * leaves the waiter to its retry delay, as below.
     *
     * A waiter of a version without announcements (a rolling upgrade) is not woken by a release that skips the
     * notification: it waits out its retry delay, which costs latency, never safety.
     */

    /**
     * The guarded release, committed asynchronously, returning whether waiters are to be woken ({@link #awaited}); the
     * store then sends {@link #notifyWaiters()} itself. One {@code UPDATE} without CTEs, the path of every lock: the
     * settings are made in its condition ({@link #BOUND_IN_WHERE}; {@code synchronous_commit} only matters when the row
     * matched, since a transaction that wrote nothing has nothing to flush), and its {@code RETURNING} shows the row as
     * this update left it, {@link Dialect#WAKE_UNTIL} as the newest announcement set it. The notification is not sent
     * from this statement: a {@code pg_notify} in it, even one behind a {@code CASE} that never calls it, made every
     * release 10–30 µs slower (lock-bench, results/2026-11-30-split), a few per cent of a cycle, while a separate one
     * costs a round trip only when someone waits. Parameters: name, owner, token, lock wait. Returns one row when the
     * lease was released, none when it was not held.
     */
    public String releaseReturningAwaited(boolean waitersAnnounce) {
        return "UPDATE " + table + " AS t SET owner_id = NULL, expires_at = clock_timestamp()"
                + " WHERE t.lock_name = ? AND t.owner_id = ? AND t.token = ? AND t.expires_at > clock_timestamp()"
                + BOUND_IN_WHERE + " AND set_config('synchronous_commit', 'off', true) IS NOT NULL RETURNING "
                + awaited(waitersAnnounce);
    }

    /**
     * The guarded release with a minimum hold ({@link #releaseAfterCte}, keeping the owner), committed synchronously,
     * returning whether waiters are to be woken, as {@link #releaseReturningAwaited} does. Parameters: lock wait, hold
     * microseconds (twice), name, owner, token. Returns one row when the lease was released, none when it was not
     * held.
     */
    public String releaseAfterReturningAwaited(boolean waitersAnnounce) {
        return releaseAfterCte(true, awaited(waitersAnnounce) + " AS awaited") + "SELECT awaited FROM released";
    }

    /**
     * Whether a release must wake waiters: while the released row's {@link Dialect#WAKE_UNTIL} lies ahead (see above);
     * always on a table without the column, whose waiters cannot announce themselves. NULL (never awaited) reads as
     * false.
     */
    private static String awaited(boolean waitersAnnounce) {
        return waitersAnnounce ? "t." + Dialect.WAKE_UNTIL + " > clock_timestamp()" : "true";
    }

    /**
     * Wakes the waiters of a lock after a release that said so: {@code pg_notify} on the table's channel with the
     * lock's name, in a transaction of its own, sent once the release has committed. Parameters: channel, name.
     */
    public String notifyWaiters() {
        return "SELECT pg_notify(?, ?)";
    }

    /**
     * A waiter's announcement, after its {@code LISTEN}: moves {@link Dialect#WAKE_UNTIL} of a held lock's row to at
     * least the database's time plus the wait, committed asynchronously (a lost announcement only costs a wake-up, and
     * a crash ends the wait anyway), and returns how long until the lease expires, in whole milliseconds rounded up.
     * No row when the lock is free or expired, or the name was never used: the waiter then tries at once. See the
     * comment above {@link #releaseReturningAwaited} for why no wake-up is lost. Parameters: lock wait, wait
     * microseconds, name.
     */
    public String announceWaiter() {
        return bounded(ASYNCHRONOUS_COMMIT) + "UPDATE " + table + " AS t SET " + Dialect.WAKE_UNTIL + " = GREATEST(t."
                + Dialect.WAKE_UNTIL + ", " + dialect.nowPlusMicros("?") + ") FROM w WHERE t.lock_name = ?"
                + " AND t.owner_id IS NOT NULL AND t.expires_at > clock_timestamp()"
                + " RETURNING CAST(ceil(extract(epoch FROM (t.expires_at - clock_timestamp())) * 1000) AS bigint)";
    }

    /**
     * Adds {@link Dialect#WAKE_UNTIL} with the table lock waited for at most {@code rowLockTimeout}, in one statement
     * whether or not a transaction is open ({@code set_config(…, true)} inside a {@code DO} block, and the previous
     * setting put back for a transaction that goes on). A user who may not alter the table fails before waiting: the
     * ownership check comes before the lock.
     */
    @Override
    public String addWakeUntil() {
        return "DO $leasehold$ DECLARE previous text := current_setting('lock_timeout'); BEGIN"
                + " PERFORM set_config('lock_timeout', '" + lockWait + "', true); " + super.addWakeUntil() + ";"
                + " PERFORM set_config('lock_timeout', previous, true); END $leasehold$";
    }

    /**
     * The guarded release with a minimum hold as a CTE named {@code released} (returning {@code lock_name}), committed
     * synchronously: a hold lost in a crash could end before the hold promised. The expiry becomes the later of {@code
     * clock_timestamp()} and {@code acquired_at} plus the hold. With {@code keepOwner} the owner stays while the hold
     * lasts ({@link LeaseStatements#releaseAfter()}); without, it is cleared at once, for a backend whose holders are
     * told apart by something else (the advisory backend's session locks), whose acquire then lets the row exclude by
     * its expiry alone; the lease table's own statements count a row without an owner as free.
     * Parameters: lock wait, hold microseconds (twice with {@code keepOwner}), name, owner, token; then the backend's
     * own.
     */
    public String releaseAfterCte(boolean keepOwner) {
        return releaseAfterCte(keepOwner, "t.lock_name");
    }

    private String releaseAfterCte(boolean keepOwner, String returning) {
        String holdEnd = dialect.plusMicros("t.acquired_at", "?");
        String owner = keepOwner ? "CASE WHEN " + holdEnd + " > clock_timestamp() THEN t.owner_id END" : "NULL";
        return bounded("") + ", released AS (UPDATE " + table + " AS t SET owner_id = " + owner
                + ", expires_at = GREATEST(clock_timestamp(), " + holdEnd + ")"
                + " FROM w WHERE t.lock_name = ? AND t.owner_id = ? AND t.token = ?"
                + " AND t.expires_at > clock_timestamp() RETURNING " + returning + ") ";
    }

    /**
     * How long until a name's lease expires, in whole milliseconds rounded up (0 when free or expired); no row when the
     * name was never used. A waiter's look at the lock on a table without {@link Dialect#WAKE_UNTIL} ({@link
     * #announceWaiter()} otherwise). Parameter: name.
     */
    public String millisLeft() {
        return "SELECT CASE WHEN owner_id IS NULL OR expires_at <= clock_timestamp() THEN 0"
                + " ELSE CAST(ceil(extract(epoch FROM (expires_at - clock_timestamp())) * 1000) AS bigint) END"
                + " FROM " + table + " WHERE lock_name = ?";
    }
}
