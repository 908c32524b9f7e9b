package dev.leasehold.lock.table.internal;

import dev.leasehold.lock.table.Dialect;
import java.time.Duration;

/**
 * The lease statements of MariaDB and MySQL, in UTC ({@code UTC_TIMESTAMP(6)}, {@code DATETIME(6)}). Neither has
 * {@code UPDATE … RETURNING}, so a grant or renewal is a conditional write followed by a read of the row it wrote, on
 * the same connection. A name never seen takes an {@code INSERT IGNORE}, which reports a duplicate as zero rows.
 *
 * <p>Statements that take row locks run as {@code SET STATEMENT innodb_lock_wait_timeout = n FOR …}, which bounds
 * their wait for a row another transaction holds and ends with the statement. MariaDB counts that wait in whole
 * seconds: an acquire rounds {@code rowLockTimeout} down (100 ms means "do not wait", and the acquire tries again
 * instead for up to {@code rowLockTimeout}: {@link BusyRowRetries}), while a renewal
 * or release, which must not fail because a contender's statement touched the row for a moment, rounds it up to at
 * least one second. MySQL has no {@code SET STATEMENT}: there the server's {@code innodb_lock_wait_timeout} applies.
 *
 * <p>This class is immutable and thread-safe.
 */
public final class MariaDbStatements extends LeaseStatements {

    private final String tryPrefix;
    private final boolean boundsWaits;
    private final long holderSeconds;
    private final Duration acquireRetryFor;

    MariaDbStatements(String table, Duration rowLockTimeout, boolean mariaDb) {
        super(Dialect.MARIADB, table, mariaDb ? prefix(holderSeconds(rowLockTimeout)) : "");
        this.tryPrefix = mariaDb ? prefix(rowLockTimeout.toSeconds()) : "";
        this.boundsWaits = mariaDb;
        this.holderSeconds = holderSeconds(rowLockTimeout);
        this.acquireRetryFor = BusyRowRetries.retryFor(mariaDb && rowLockTimeout.toSeconds() == 0, rowLockTimeout);
    }

    /** How long an acquire tries again when it meets a row locked ({@link BusyRowRetries}); zero where it waits. */
    public Duration acquireRetryFor() {
        return acquireRetryFor;
    }

    /** A holder's wait: {@code rowLockTimeout} rounded up to whole seconds, at least one. */
    private static long holderSeconds(Duration rowLockTimeout) {
        return Math.max(1, (rowLockTimeout.toMillis() + 999) / 1000);
    }

    private static String prefix(long seconds) {
        return "SET STATEMENT innodb_lock_wait_timeout = " + seconds + " FOR ";
    }

    /** Whether the statements bound their row-lock waits themselves (MariaDB), or the server's setting applies. */
    public boolean boundsWaits() {
        return boundsWaits;
    }

    /** On MariaDB the table's metadata lock is waited for at most {@code rowLockTimeout} rounded up to seconds. */
    @Override
    public String addWakeUntil() {
        return boundsWaits
                ? "SET STATEMENT lock_wait_timeout = " + holderSeconds + " FOR " + super.addWakeUntil()
                : super.addWakeUntil();
    }

    /** Acquire of an existing row when free or expired. Parameters: owner, lease microseconds, name. */
    public String acquireKnown() {
        return tryPrefix + "UPDATE " + table + " SET owner_id = ?, token = token + 1, acquired_at = UTC_TIMESTAMP(6),"
                + " expires_at = " + dialect.nowPlusMicros("?")
                + " WHERE lock_name = ? AND (owner_id IS NULL OR expires_at <= UTC_TIMESTAMP(6))";
    }

    /**
     * The first row of a name, or nothing when it exists. Its token is the floor plus one, read by the {@code INSERT …
     * SELECT} with a share lock on the floor's row (so it waits for a purge that is raising it); an aggregate, so that a
     * missing floor reads 0. Parameters: name, owner, lease microseconds.
     */
    public String acquireNew() {
        return tryPrefix + "INSERT IGNORE INTO " + table + " (lock_name, owner_id, token, acquired_at, expires_at)"
                + " SELECT ?, ?, COALESCE(MAX(f.token), 0) + 1, UTC_TIMESTAMP(6), " + dialect.nowPlusMicros("?")
                + " FROM " + table + " f WHERE f.lock_name = '' LOCK IN SHARE MODE";
    }

    /** Reads the grant just written. Parameters: name, owner. Returns token, acquired_at, expires_at. */
    public String readGrant() {
        return "SELECT token, acquired_at, expires_at FROM " + table
                + " WHERE lock_name = ? AND owner_id = ? AND expires_at > UTC_TIMESTAMP(6)";
    }

    /**
     * Renews {@code count} leases of one owner. Parameters: lease microseconds, owner, then name and token of each
     * lease.
     */
    public String renewAll(int count) {
        return holderPrefix + "UPDATE " + table + " SET expires_at = " + dialect.nowPlusMicros("?")
                + " WHERE owner_id = ? AND expires_at > UTC_TIMESTAMP(6) AND " + RowValues.inList(count);
    }

    /**
     * Reads the leases just renewed. Parameters: owner, then name and token of each lease. Returns lock_name,
     * expires_at.
     */
    public String readRenewed(int count) {
        return "SELECT lock_name, expires_at FROM " + table + " WHERE owner_id = ? AND expires_at > UTC_TIMESTAMP(6)"
                + " AND " + RowValues.inList(count);
    }
}
