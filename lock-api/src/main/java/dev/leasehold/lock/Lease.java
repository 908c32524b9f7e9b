package dev.leasehold.lock;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * A held lock: proof, for a bounded time, that this manager owns the lock named {@link #name()}. While it is valid the
 * engine renews it in the background, unless it is fixed-term ({@link LockOptions.Builder#fixedTerm()}), which ends
 * its lease time after the grant; when a renewal finds it gone, or renewals keep failing until its local deadline
 * passes, it is lost, every {@link #onLost(Consumer)} listener is told once, and {@link #extend(Duration)} and {@link
 * #release()} throw {@link LockExpiredException}.
 *
 * <p><b>What a holder may assume.</b> While {@link #isValid()} is true the lease has not expired by the database
 * clock: the local deadline is taken from {@link System#nanoTime()} before each grant or renewal was sent, so it passes
 * no later than the database expiry. Validity is not exclusive execution: a process that pauses after checking it may
 * resume after expiry. Pass {@link #token()} to the resource you protect and have it reject tokens lower than the
 * highest it has seen.
 *
 * <p>This interface's implementations are thread-safe; {@link #close()} is {@link #release()}.
 */
public interface Lease extends AutoCloseable {

    /** The lock name. */
    String name();

    /**
     * The fencing token: strictly greater than every earlier token of this lock name, across owners, releases and
     * restarts. Renewals keep it.
     */
    long token();

    /** The owner id of the manager that holds it. */
    String ownerId();

    /**
     * When the lock was granted, by the database clock: the database's time of the grant, which renewals and {@link
     * #extend} keep. A minimum hold ({@link #release(Duration)}) counts from it.
     */
    Instant acquiredAt();

    /** When the lease expires unless renewed, by the database clock, as last confirmed by the database. */
    Instant expiresAt();

    /**
     * Whether this manager still holds the lease: not released, not lost, and its local deadline not passed. Asks no
     * database.
     */
    boolean isValid();

    /** How long the lease stays valid by the local deadline, zero once it is not valid. Asks no database. */
    Duration validFor();

    /**
     * Renews the lease now for {@code leaseTime} from the database's current time; later heartbeats keep that lease
     * time. The token stays the same. A fixed-term lease stays fixed-term: it then ends {@code leaseTime} from now, and
     * may be extended for up to 366 days; a renewed one for up to one day.
     *
     * @throws LockExpiredException if the lease was lost, now or before
     * @throws IllegalStateException if it was released
     * @throws IllegalArgumentException if {@code leaseTime} is not a valid lease time
     */
    void extend(Duration leaseTime);

    /**
     * Releases the lock, guarded by name, owner and token, so that it never frees a lock someone else took over.
     * Releasing twice does nothing. When the lock's options set a minimum hold, it is {@link #release(Duration)} with
     * that hold.
     *
     * @throws LockExpiredException if the lease was lost before it could be released
     * @throws LockBackendException if the database kept failing; the lease then expires on its own
     */
    void release();

    /**
     * Releases the lock with a minimum hold: in one guarded store operation (name, owner and token must match a lease
     * that holds), its expiry becomes the later of the database's current time and {@link #acquiredAt()} plus {@code
     * minHold}, by the database clock, and this manager forgets the lease. Until then nobody, this manager included,
     * is granted the lock, even after this manager closes or its process exits: the store keeps it, and {@code
     * inspect} shows it held by this owner and token. A hold that has already passed frees the lock at once, as
     * {@link #release()} does. Releasing twice does nothing. The minimum hold of the lock's options, if any, is
     * replaced by {@code minHold}; zero is {@link #release()} without a hold.
     *
     * @throws IllegalArgumentException if {@code minHold} is null, negative or longer than 366 days
     * @throws LockExpiredException if the lease was lost before it could be released
     * @throws UnsupportedOperationException if the backend's store cannot release with a hold; the lease is still held
     * @throws LockBackendException if the database kept failing; the lease then expires on its own
     */
    void release(Duration minHold);

    /** Same as {@link #release()}: with the lock's minimum hold, if its options set one. */
    @Override
    void close();

    /**
     * Adds a listener told once, with the reason, when the lease is lost. A listener added after the loss runs at once
     * on the calling thread; one added after a release never runs. A lease released by its manager's {@code close()}
     * is released, not lost, so its listeners do not run (nor after a simulated crash). Listeners run on the manager's
     * heartbeat threads and must return quickly.
     *
     * @return this lease
     * @throws IllegalArgumentException if {@code listener} is null
     */
    Lease onLost(Consumer<LockExpiredException> listener);
}
