package dev.leasehold.lock.table.internal;

import dev.leasehold.lock.table.Dialect;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * The SQL text of the lease table's statements for one dialect and one table, written once and executed by each
 * backend in its own way (lock-jdbc through Jdbi, lock-advisory on its session, lock-jpa as native queries). Every
 * parameter is a JDBC {@code ?}; each method's Javadoc gives their order. Every time is the database's, and the client
 * sends lease times as whole microseconds, never a timestamp. A released lock keeps its row and its last token; only a
 * purge of idle names deletes rows, and it first raises the table's token floor.
 *
 * <p>The <em>token floor</em> is the row of the empty name {@value #FLOOR_ROW_DESCRIPTION} (never a valid lock name,
 * and never shown, since its owner is always NULL): its {@code token} is at least the last token of every name ever
 * purged. Every statement that creates a row starts its token from it, reading it with a share lock (PostgreSQL {@code
 * FOR SHARE}, MariaDB {@code LOCK IN SHARE MODE}; H2, which has no share lock, with {@link #lockFloor()} first in the
 * same transaction), and 0 when it is missing. A purge batch locks it exclusively first, raises it to the largest token
 * it deletes and deletes in the same transaction; so a new row of a purged name either waits for that transaction and
 * starts above the raised floor, or was created before the purge chose its batch and is not idle. Lock order is the
 * floor first, then names' rows, in acquires and purges alike.
 *
 * <p>Statements that take row locks bound their wait for a row another transaction holds by {@code rowLockTimeout}
 * where the database can do that within the statement: PostgreSQL through {@code set_config('lock_timeout', ?, true)}
 * in a materialised CTE the write reads from (see {@link PostgresStatements}), MariaDB through {@code SET STATEMENT
 * innodb_lock_wait_timeout = n FOR …} (whole seconds: an acquire rounds down, a holder's statement up to at least one
 * second). H2 keeps its lock timeout per session only, so its backend sets it around the statement.
 *
 * <p>This class is immutable and thread-safe.
 */
public class LeaseStatements {

    /** The lock name of the token floor's row: the empty string, which {@code Arguments.lockName} rejects. */
    public static final String FLOOR_ROW = "";

    /** How the floor's row is named in documentation. */
    static final String FLOOR_ROW_DESCRIPTION = "''";

    /** How many idle rows one purge transaction deletes at most, so that it holds the floor's lock briefly. */
    public static final int PURGE_BATCH = 1_000;

    /** The dialect of the database. */
    protected final Dialect dialect;

    /** The quoted, qualified table name. */
    protected final String table;

    /** What a holder's statement (renew, release) starts with to bound its row-lock wait; empty where none. */
    protected final String holderPrefix;

    /** The statements of {@code table} in {@code dialect}; {@code holderPrefix} bounds a holder's row-lock wait. */
    protected LeaseStatements(Dialect dialect, String table, String holderPrefix) {
        this.dialect = dialect;
        this.table = table;
        this.holderPrefix = holderPrefix;
    }

    /**
     * The statements for a table, with row-lock waits bounded by {@code rowLockTimeout}; {@code product} is the
     * database product name as the driver reports it (MariaDB and MySQL differ in how a wait can be bounded).
     */
    public static LeaseStatements of(Dialect dialect, String table, Duration rowLockTimeout, String product) {
        return switch (dialect) {
            case POSTGRESQL -> new PostgresStatements(table, rowLockTimeout);
            case H2 -> new H2Statements(table);
            case MARIADB -> new MariaDbStatements(table, rowLockTimeout, isMariaDb(product));
        };
    }

    private static boolean isMariaDb(String product) {
        return product != null && product.toLowerCase(Locale.ROOT).contains("mariadb");
    }

    /** The dialect of the database. */
    public Dialect dialect() {
        return dialect;
    }

    /** The quoted, qualified table name. */
    public String table() {
        return table;
    }

    /**
     * Releases a held lease: clears the owner and ends the lease now, guarded by name, owner, token and expiry.
     * Parameters: name, owner, token. PostgreSQL's backends use {@link PostgresStatements#releaseCte} instead.
     */
    public String release() {
        return holderPrefix + "UPDATE " + table + " SET owner_id = NULL, expires_at = " + dialect.now()
                + " WHERE lock_name = ? AND owner_id = ? AND token = ? AND expires_at > " + dialect.now();
    }

    /**
     * Releases a held lease with a minimum hold: guarded like {@link #release()}, it sets the expiry to the later of
     * the database's time and {@code acquired_at} plus the hold, and keeps the owner while that hold lasts (so that
     * the row excludes everyone and {@code inspect} shows it); a hold already over clears the owner as {@link
     * #release()} does. Parameters: hold microseconds, hold microseconds, name, owner, token. PostgreSQL's backend uses
     * {@link PostgresStatements#releaseAfterCte} instead.
     */
    public String releaseAfter() {
        // The owner is assigned first: MariaDB evaluates the assignments in order, with the values already assigned.
        String holdEnd = dialect.plusMicros("acquired_at", "?");
        return holderPrefix + "UPDATE " + table + " SET owner_id = CASE WHEN " + holdEnd + " > " + dialect.now()
                + " THEN owner_id ELSE NULL END, expires_at = GREATEST(" + dialect.now() + ", "
                + dialect.plusMicros("acquired_at", "?") + ") WHERE lock_name = ? AND owner_id = ? AND token = ? AND"
                + " expires_at > " + dialect.now();
    }

    /**
     * The row of a name: owner, token, acquired_at, expires_at and whether the lease holds by the database clock (1 or
     * 0); no row when the name was never used. Parameter: name.
     */
    public String inspect() {
        return "SELECT owner_id, token, acquired_at, expires_at, CASE WHEN owner_id IS NOT NULL AND expires_at > "
                + dialect.now() + " THEN 1 ELSE 0 END FROM " + table + " WHERE lock_name = ?";
    }

    /** Every lease that holds now: lock_name, owner_id, token, acquired_at, expires_at, by name. No parameters. */
    public String listHeld() {
        return "SELECT lock_name, owner_id, token, acquired_at, expires_at FROM " + table
                + " WHERE owner_id IS NOT NULL AND expires_at > " + dialect.now() + " ORDER BY lock_name";
    }

    /**
     * The transactional check, in the caller's transaction: the token of the row when the lease holds, share-locked
     * until that transaction ends (H2: locked for update). Parameters: name, owner, token.
     */
    public String verify() {
        return "SELECT token FROM " + table + " WHERE lock_name = ? AND owner_id = ? AND token = ? AND expires_at > "
                + dialect.now() + " " + dialect.shareLock();
    }

    /**
     * Whether a lease on a name holds, without locking: one row with 1 (held) or 0 (free), or no row when the name
     * was never used. Parameter: name.
     */
    public String status() {
        return "SELECT CASE WHEN owner_id IS NOT NULL AND expires_at > " + dialect.now() + " THEN 1 ELSE 0 END FROM "
                + table + " WHERE lock_name = ?";
    }

    /** The database clock as microseconds since the epoch. No parameters. */
    public String clock() {
        return "SELECT " + dialect.nowMicros();
    }

    /**
     * Inserts a free row for a name, its token the floor ({@link #floor()}), changing nothing when the row exists;
     * waits for row or gap locks at most about {@code maxWait} where the statement can say so (MariaDB, whole seconds,
     * zero for none). On H2 run {@link #lockFloor()} first in the same transaction, and a concurrent insert may still
     * fail with a duplicate key. Parameter: name.
     */
    public String insertFree(Duration maxWait) {
        return switch (dialect) {
            case POSTGRESQL ->
                "INSERT INTO " + table + " (lock_name, owner_id, token, acquired_at, expires_at)"
                        + " SELECT ?, NULL, " + floor() + ", clock_timestamp(), clock_timestamp()"
                        + " ON CONFLICT (lock_name) DO NOTHING";
            case H2 ->
                "INSERT INTO " + table + " (lock_name, owner_id, token, acquired_at, expires_at)"
                        + " SELECT n, NULL, " + floor() + ", CURRENT_TIMESTAMP(6), CURRENT_TIMESTAMP(6) FROM (VALUES"
                        + " (CAST(? AS VARCHAR(255)))) AS v(n) WHERE NOT EXISTS (SELECT 1 FROM " + table
                        + " WHERE lock_name = n)";
            // ON DUPLICATE KEY UPDATE with a no-op: a duplicate is not an error, and other errors still are
            // (INSERT IGNORE would turn them into warnings); a gap lock is waited for at most maxWait. The floor is
            // read by the INSERT … SELECT itself, share-locked.
            case MARIADB ->
                "SET STATEMENT innodb_lock_wait_timeout = " + (maxWait.isZero() ? 0 : wholeSeconds(maxWait))
                        + " FOR INSERT INTO " + table + " (lock_name, owner_id, token, acquired_at, expires_at)"
                        + " SELECT ?, NULL, COALESCE(MAX(f.token), 0), UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) FROM " + table
                        + " f WHERE f.lock_name = '' LOCK IN SHARE MODE ON DUPLICATE KEY UPDATE lock_name ="
                        + " VALUES(lock_name)";
        };
    }

    /**
     * The token floor as a scalar SQL expression, 0 when its row is missing: share-locked on PostgreSQL ({@code FOR
     * SHARE}); unlocked on H2, whose callers lock it first ({@link #lockFloor()}). MariaDB's statements read it in
     * their own {@code INSERT … SELECT … LOCK IN SHARE MODE} instead.
     */
    public String floor() {
        String lock = dialect == Dialect.POSTGRESQL ? " FOR SHARE" : "";
        return "COALESCE((SELECT fl.token FROM " + table + " fl WHERE fl.lock_name = ''" + lock + "), 0)";
    }

    /**
     * Creates the token floor's row with token 0 unless it exists: at start-up, so that it exists before any purge
     * (an acquire that found no floor would read 0 without locking anything). No parameters. On H2 a concurrent insert
     * may fail with a duplicate key.
     */
    public String ensureFloor() {
        return switch (dialect) {
            case POSTGRESQL ->
                "INSERT INTO " + table + " (lock_name, owner_id, token, acquired_at, expires_at)"
                        + " VALUES ('', NULL, 0, clock_timestamp(), clock_timestamp()) ON CONFLICT (lock_name) DO NOTHING";
            case H2 ->
                "INSERT INTO " + table + " (lock_name, owner_id, token, acquired_at, expires_at)"
                        + " SELECT '', NULL, 0, CURRENT_TIMESTAMP(6), CURRENT_TIMESTAMP(6) FROM (VALUES (1))"
                        + " WHERE NOT EXISTS (SELECT 1 FROM " + table + " WHERE lock_name = '')";
            case MARIADB ->
                "INSERT INTO " + table + " (lock_name, owner_id, token, acquired_at, expires_at)"
                        + " VALUES ('', NULL, 0, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6)) ON DUPLICATE KEY UPDATE lock_name ="
                        + " lock_name";
        };
    }

    /**
     * Locks the token floor's row for the rest of the transaction (exclusively; H2 has no share lock) and returns its
     * token; no row when it is missing. No parameters. PostgreSQL's purge does it inside {@link
     * PostgresStatements#purgeBatch()}.
     */
    public String lockFloor() {
        return holderPrefix + "SELECT token FROM " + table + " WHERE lock_name = '' FOR UPDATE";
    }

    /**
     * On H2 only, which has no share lock: locks the token floor's row for the rest of the transaction, waiting for it
     * at most about {@code maxWait} (a purge batch holds it for milliseconds), so that a new row created in the same
     * transaction starts from a floor no purge is raising. Empty on the other databases, whose inserts lock it
     * themselves ({@link #floor()}, {@link #insertFree}). No parameters.
     */
    public Optional<String> lockFloorFirst(Duration maxWait) {
        if (dialect != Dialect.H2) {
            return Optional.empty();
        }
        long millis = Math.max(1, ceilMillis(maxWait));
        String seconds = millis / 1000 + "." + String.format(Locale.ROOT, "%03d", millis % 1000);
        return Optional.of("SELECT token FROM " + table + " WHERE lock_name = '' FOR UPDATE WAIT " + seconds);
    }

    /**
     * Up to {@link #PURGE_BATCH} idle rows, without locking: lock_name, token of rows other than the floor whose
     * lock has been free since before the database's time plus the (negative) microseconds of the parameter. A row is
     * free when its owner is NULL or its lease expired, and it was freed at its {@code expires_at}; so "free since
     * before" is {@code expires_at} before that time, which a held lease or a minimum hold (both expiring in the
     * future) never is. Parameter: minus the idle age in microseconds.
     */
    public String idleBatch() {
        String limit = dialect == Dialect.H2 ? " FETCH FIRST " + PURGE_BATCH + " ROWS ONLY" : " LIMIT " + PURGE_BATCH;
        return "SELECT lock_name, token FROM " + table + " WHERE lock_name <> '' AND expires_at < "
                + dialect.nowPlusMicros("?") + limit;
    }

    /** Raises the token floor to at least the parameter; after {@link #lockFloor()}. Parameter: token. */
    public String raiseFloor() {
        return holderPrefix + "UPDATE " + table + " SET token = GREATEST(token, ?) WHERE lock_name = ''";
    }

    /**
     * Deletes {@code count} named rows if they are still idle and their token is at most the floor: both checked
     * again by the deleting statement on the row as it is then, so that a row granted since the batch was read is
     * kept. Parameters: minus the idle age in microseconds, the floor, then each name.
     */
    public String deleteIdle(int count) {
        StringBuilder names = new StringBuilder();
        for (int i = 0; i < count; i++) {
            names.append(i == 0 ? "?" : ", ?");
        }
        return holderPrefix + "DELETE FROM " + table + " WHERE expires_at < " + dialect.nowPlusMicros("?")
                + " AND token <= ? AND lock_name <> '' AND lock_name IN (" + names + ")";
    }

    /**
     * A locking read of a name's row that waits at most {@code timeout}, for databases whose JPA provider drops a real
     * lock timeout (H2 and MariaDB; MariaDB waits in whole seconds, at least one); empty for PostgreSQL, whose JPA
     * provider sets {@code lock_timeout} itself. Parameter: name.
     */
    public Optional<String> lockRowWaiting(Duration timeout) {
        return switch (dialect) {
            case POSTGRESQL -> Optional.empty();
            case H2 -> {
                long millis = Math.max(1, ceilMillis(timeout));
                String seconds = millis / 1000 + "." + String.format(Locale.ROOT, "%03d", millis % 1000);
                yield Optional.of("SELECT lock_name FROM " + table + " WHERE lock_name = ? FOR UPDATE WAIT " + seconds);
            }
            case MARIADB ->
                Optional.of("SELECT lock_name FROM " + table + " WHERE lock_name = ? FOR UPDATE WAIT "
                        + wholeSeconds(timeout));
        };
    }

    /**
     * A statement that bounds every lock wait of the rest of the current transaction to about {@code maxWait}, where
     * the database can do that without touching the session (PostgreSQL's {@code SET LOCAL lock_timeout}; zero would
     * mean "wait forever" there, so at least 1 ms). No parameters.
     */
    public Optional<String> boundTransactionWaits(Duration maxWait) {
        return dialect == Dialect.POSTGRESQL
                ? Optional.of("SET LOCAL lock_timeout = '" + Math.max(1, ceilMillis(maxWait)) + "ms'")
                : Optional.empty();
    }

    /**
     * Adds {@link Dialect#WAKE_UNTIL} to a table created before it existed ({@link Dialect#addWakeUntil}), for start-up.
     * Where the database allows, its wait for the table lock is bounded by {@code rowLockTimeout}: while it waits, every
     * lease statement on the table queues behind it. H2 waits by its session's lock timeout; MySQL, which cannot bound
     * it in the statement, by the server's {@code lock_wait_timeout}. No parameters.
     */
    public String addWakeUntil() {
        return dialect.addWakeUntil(table);
    }

    /** Whole seconds, rounded up, at least one. */
    static long wholeSeconds(Duration d) {
        return Math.max(1, (ceilMillis(d) + 999) / 1000);
    }

    /** Whole milliseconds, rounded up. */
    static long ceilMillis(Duration d) {
        long millis = d.toMillis();
        return d.minusMillis(millis).isZero() ? millis : millis + 1;
    }

    /** Lease times go to the database as whole microseconds, at least one. */
    public static long micros(Duration leaseTime) {
        return Math.max(1, leaseTime.toNanos() / 1_000);
    }
}
