package dev.leasehold.lock;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * A held lock: proof, for a bounded time, that this manager owns the lock named {@link #name()}. While it is valid the
 * engine renews it in the background; when a renewal finds it gone, or renewals keep failing until its local deadline
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
     * time. The token stays the same.
     *
     * @throws LockExpiredException if the lease was lost, now or before
     * @throws IllegalStateException if it was released
     * @throws IllegalArgumentException if {@code leaseTime} is not a valid lease time
     */
    void extend(Duration leaseTime);

    /**
     * Releases the lock, guarded by name, owner and token, so that it never frees a lock someone else took over.
     * Releasing twice does nothing.
     *
     * @throws LockExpiredException if the lease was lost before it could be released
     * @throws LockBackendException if the database kept failing; the lease then expires on its own
     */
    void release();

    /** Same as {@link #release()}. */
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
