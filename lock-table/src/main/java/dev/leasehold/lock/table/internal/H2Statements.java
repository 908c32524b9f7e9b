package dev.leasehold.lock.table.internal;

import dev.leasehold.lock.table.Dialect;

/**
 * The lease statements of H2 2.x. H2 has no {@code ON CONFLICT}, but returns the rows a statement changed through
 * {@code FINAL TABLE (…)}, so acquire, renew and release are one statement each; a name never seen takes a second
 * statement, an {@code INSERT} whose duplicate-key failure means "held". H2 keeps its lock timeout per session only,
 * so its backend sets it around these statements ({@link #lockTimeout()}, {@link #setLockTimeout(long)}).
 *
 * <p>This class is immutable and thread-safe.
 */
public final class H2Statements extends LeaseStatements {

    H2Statements(String table) {
        super(Dialect.H2, table, "");
    }

    /** Reads the session's lock timeout in milliseconds. No parameters. */
    public String lockTimeout() {
        return "SELECT LOCK_TIMEOUT()";
    }

    /** Sets the session's lock timeout; {@code millis} is a number the backend computed, never user text. */
    public String setLockTimeout(long millis) {
        return "SET LOCK_TIMEOUT " + millis;
    }

    /**
     * Acquire of an existing row when free or expired. Parameters: owner, lease microseconds, name. Returns token,
     * acquired_at, expires_at, or nothing when the lock is held.
     */
    public String acquireKnown() {
        return "SELECT token, acquired_at, expires_at FROM FINAL TABLE (UPDATE " + table
                + " SET owner_id = ?, token = token + 1,"
                + " acquired_at = CURRENT_TIMESTAMP(6), expires_at = " + dialect.nowPlusMicros("?")
                + " WHERE lock_name = ? AND (owner_id IS NULL OR expires_at <= CURRENT_TIMESTAMP(6)))";
    }

    /**
     * The first row of a name, its token the floor plus one; run {@link #lockFloor()} first in the same transaction.
     * Parameters: name, owner, lease microseconds. Returns token, acquired_at, expires_at.
     */
    public String acquireNew() {
        return "SELECT token, acquired_at, expires_at FROM FINAL TABLE (INSERT INTO " + table
                + " (lock_name, owner_id, token, acquired_at, expires_at)"
                + " VALUES (?, ?, " + floor() + " + 1, CURRENT_TIMESTAMP(6), " + dialect.nowPlusMicros("?") + "))";
    }

    /**
     * Renews {@code count} leases of one owner. Parameters: lease microseconds, owner, then name and token of each
     * lease. Returns lock_name, expires_at of each lease renewed.
     */
    public String renewAll(int count) {
        return "SELECT lock_name, expires_at FROM FINAL TABLE (UPDATE " + table + " SET expires_at = "
                + dialect.nowPlusMicros("?") + " WHERE owner_id = ? AND expires_at > CURRENT_TIMESTAMP(6) AND "
                + RowValues.inList(count) + ")";
    }
}
