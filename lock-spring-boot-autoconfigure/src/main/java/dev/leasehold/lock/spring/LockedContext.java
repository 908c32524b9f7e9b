package dev.leasehold.lock.spring;

import dev.leasehold.lock.Lease;
import java.util.Optional;

/**
 * The lease of the {@link Locked} method running on the current thread. Inside a {@code @Locked} method, {@link
 * #currentLease()} gives the lease of its lock, for its fencing token ({@link Lease#token()}), its validity or an
 * {@link Lease#onLost} listener. When {@code @Locked} methods nest, the innermost one's lease is current; when it
 * returns, the outer one's is current again.
 *
 * <p>The lease is bound to the thread that runs the method: work the method hands to other threads must take the
 * lease (or its token) with it. Do not release the lease yourself; it is released when the method returns.
 *
 * <p>This class is thread-safe.
 */
public final class LockedContext {

    private static final ThreadLocal<Lease> CURRENT = new ThreadLocal<>();

    private LockedContext() {}

    /**
     * The lease of the {@code @Locked} method running on this thread.
     *
     * @throws IllegalStateException if no {@code @Locked} method runs on this thread
     */
    public static Lease currentLease() {
        Lease lease = CURRENT.get();
        if (lease == null) {
            throw new IllegalStateException(
                    "no @Locked method runs on thread " + Thread.currentThread().getName()
                            + ": call LockedContext.currentLease() from a @Locked method (called through its Spring proxy), or"
                            + " use findCurrentLease() where there may be none");
        }
        return lease;
    }

    /** The lease of the {@code @Locked} method running on this thread, or empty outside of one. */
    public static Optional<Lease> findCurrentLease() {
        return Optional.ofNullable(CURRENT.get());
    }

    /** Makes {@code lease} current and returns the lease that was current before, for {@link #restore}. */
    static Lease enter(Lease lease) {
        Lease previous = CURRENT.get();
        CURRENT.set(lease);
        return previous;
    }

    /** Makes {@code previous} (from {@link #enter}) current again. */
    static void restore(Lease previous) {
        if (previous == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(previous);
        }
    }
}
