package dev.leasehold.lock.spi;

import dev.leasehold.lock.LockInfo;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The few atomic operations a backend does against its store. The engine in {@code lock-core} builds the whole user
 * API on them (waiting, heartbeats, lost-lease detection, fencing, retries of transient failures), so a new backend is
 * one class that implements this interface.
 *
 * <p>Every operation is atomic and judged by the store's clock. The contract, in the numbering of {@code
 * lock-tck/SPEC.md}:
 *
 * <ol>
 *   <li>{@link #tryAcquire} grants only if nobody holds the lock or the holder's lease has expired by the store's
 *       clock, including when the holder has the same owner id (no reentrancy at this level).
 *   <li>Each grant's token is strictly greater than every earlier token of that name, computed inside the granting
 *       operation from the state it wins over; the store never forgets the last token of a name, except through
 *       {@link #purgeIdle}, which first raises a floor above it that every new name's first token starts from.
 *   <li>{@link #renew}, {@link #renewAll}, {@link #release} and {@link #releaseAfter} act only when name, owner and
 *       token all match a lease that has not expired; otherwise they change nothing.
 * </ol>
 *
 * <p>Failures are exceptions. The engine retries transient ones (connection failures, deadlocks, restarts, failovers:
 * the list is {@code dev.leasehold.lock.core.SqlFailures}), judged by the first {@link SQLException} in the cause
 * chain, so wrap database errors with their {@link SQLException} as the cause. A {@link #tryAcquire} that fails because
 * another transaction holds the lock's row past the store's bounded lock wait (PostgreSQL 55P03, H2's lock timeout,
 * MariaDB 1205 or 1969) counts as "held".
 *
 * <p>Every operation runs on a connection of the store's own and commits by itself: it never joins, waits unboundedly
 * on, or changes a transaction of the caller's thread.
 *
 * <p>Implementations must be thread-safe. The engine calls {@link #close()} when its manager closes.
 */
public interface LeaseStore extends AutoCloseable {

    /**
     * Grants the lock to {@code owner} for {@code leaseTime} if it is free or its lease expired.
     *
     * @return the grant, or empty if someone holds the lock
     */
    Optional<LeaseGrant> tryAcquire(String name, String owner, Duration leaseTime) throws SQLException;

    /**
     * Extends a held lease to {@code leaseTime} from the store's current time.
     *
     * @return the new expiry, or empty if the lease is gone (expired, released, or taken over)
     */
    Optional<Instant> renew(String name, String owner, long token, Duration leaseTime) throws SQLException;

    /**
     * Releases a held lease; the store keeps the lock's last token.
     *
     * @return whether a lease matching name, owner and token was released
     */
    boolean release(String name, String owner, long token) throws SQLException;

    /**
     * Releases a held lease with a minimum hold, in one atomic operation judged by the store's clock: if name, owner
     * and token match a lease that has not expired, its expiry becomes the later of the store's current time and its
     * {@code acquiredAt} plus {@code minHold}. While that hold lasts the lease keeps its owner and token, so that
     * {@link #tryAcquire} refuses everyone and {@link #inspect} shows it; a hold that has already passed is a plain
     * {@link #release}. A store must not emulate it with a read and a later write: a renewal or takeover in between
     * would be overwritten.
     *
     * <p>The default throws {@link UnsupportedOperationException}, which the engine reports to the caller with the
     * lease still held.
     *
     * @return whether a lease matching name, owner and token was released
     */
    default boolean releaseAfter(String name, String owner, long token, Duration minHold) throws SQLException {
        throw new UnsupportedOperationException(getClass().getName() + " cannot release with a minimum hold (it does"
                + " not implement LeaseStore.releaseAfter): release without minHold, or use a backend that has it");
    }

    /**
     * Forgets the names whose lock has been free for longer than {@code idleFor} by the store's clock: released, or
     * its lease expired, at least that long ago ({@code expires_at} before the store's time minus {@code idleFor}). A
     * lease that holds, or a lock within its minimum hold, is never forgotten, since its expiry lies ahead. The promise
     * of rule 2 stays: before a name is forgotten, the store raises a floor to at least its last token, atomically
     * with the forgetting, and the first grant of a name the store has no state for starts above that floor; a name
     * granted or released while the purge runs is kept. Implementations purge in short batches, so that grants of new
     * names, which read the floor, are not held up for long.
     *
     * <p>Every store on one table must start its new names from the floor before anyone purges, so an older store
     * that does not know the floor must not share the table with a purge.
     *
     * <p>The default throws {@link UnsupportedOperationException}.
     *
     * @param idleFor how long a lock must have been free to be forgotten; positive (the engine checks it)
     * @return how many names were forgotten
     */
    default long purgeIdle(Duration idleFor) throws SQLException {
        throw new UnsupportedOperationException(getClass().getName() + " cannot purge idle names (it does not"
                + " implement LeaseStore.purgeIdle): its names are kept, or use a backend that has it");
    }

    /** The current holder, or empty if nobody holds an unexpired lease. */
    Optional<LockInfo> inspect(String name) throws SQLException;

    /**
     * Renews many leases of one owner. Override it to do so in one round trip; the default renews them one by one.
     *
     * @return the new expiry of each renewed lease, by name; a lease missing from the map is gone
     */
    default Map<String, Instant> renewAll(String owner, Collection<LeaseKey> leases, Duration leaseTime)
            throws SQLException {
        Map<String, Instant> renewed = new LinkedHashMap<>();
        for (LeaseKey lease : leases) {
            renew(lease.name(), owner, lease.token(), leaseTime).ifPresent(e -> renewed.put(lease.name(), e));
        }
        return renewed;
    }

    /**
     * Blocks until the lock may have changed (released, expired, or free already) or {@code maxWait} passes, so that a
     * waiter wakes on release instead of polling. An implementation must look at the lock before it waits and return
     * {@link AwaitOutcome#CHANGED} at once when the lock is free (never held, released, or its lease expired by the
     * store's clock) at the time of the call, so that a release between a failed attempt and this call is not missed
     * (SPEC R7.7).
     *
     * <p>It may return {@link AwaitOutcome#CHANGED} early without cause. That costs the waiter an attempt, never a
     * retry of its budget: the engine counts a retry per retry delay, not per wake-up, and after a wake-up whose
     * attempt fails it waits out the rest of that delay (SPEC R7.8). A store that wakes without cause often makes its
     * waiters ask it that often, so wake only on a sign of change. The default returns {@link
     * AwaitOutcome#NOT_SUPPORTED} at once.
     *
     * @throws InterruptedException if the thread is interrupted while it waits
     */
    default AwaitOutcome awaitChange(String name, Duration maxWait) throws InterruptedException, SQLException {
        return AwaitOutcome.NOT_SUPPORTED;
    }

    /**
     * Called once by the engine before any other operation, with the events the store may report, such as {@link
     * LeaseStoreEvents#allLeasesLost}. The default ignores them.
     */
    default void attach(LeaseStoreEvents events) {}

    /** Frees what the store holds (connections, listeners). The default does nothing. */
    @Override
    default void close() {}
}
