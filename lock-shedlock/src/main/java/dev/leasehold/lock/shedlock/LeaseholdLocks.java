package dev.leasehold.lock.shedlock;

import dev.leasehold.lock.Lease;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The Leasehold lease of the ShedLock lock that the current thread runs its job under: its fencing token to pass to
 * the resource the job writes, and {@link Lease#onLost} for the lost-lock signal.
 *
 * <p>{@link LeaseholdLockProvider#lock} makes a granted lease current on the thread that locked, which is the thread
 * that then runs the job in ShedLock's {@code DefaultLockingTaskExecutor} and its Spring scheduling aspect; {@code
 * unlock()} of its {@code SimpleLock} (or of the one {@code extend} returned) ends it, from whichever thread. Locks of
 * different names taken one inside another stack: the innermost is current. Outside such a job both methods are empty.
 *
 * <p>This class is thread-safe: each thread sees only its own locks.
 */
public final class LeaseholdLocks {

    private static final ThreadLocal<Deque<Held>> HELD = new ThreadLocal<>();

    private LeaseholdLocks() {}

    /** The lease of the innermost ShedLock lock this thread took and has not unlocked, or empty. */
    public static Optional<Lease> currentLease() {
        Deque<Held> held = HELD.get();
        if (held == null) {
            return Optional.empty();
        }
        // A lock unlocked on another thread cannot reach this thread's stack: it is dropped here, when seen.
        while (!held.isEmpty() && held.peek().ended()) {
            held.pop();
        }
        if (held.isEmpty()) {
            HELD.remove();
            return Optional.empty();
        }
        return Optional.of(held.peek().lease());
    }

    /** The fencing token of {@link #currentLease()}, or empty. */
    public static OptionalLong currentToken() {
        return currentLease().map(l -> OptionalLong.of(l.token())).orElse(OptionalLong.empty());
    }

    /** Makes {@code held} this thread's current lock. */
    static void enter(Held held) {
        Deque<Held> stack = HELD.get();
        if (stack == null) {
            stack = new ArrayDeque<>();
            HELD.set(stack);
        }
        stack.push(held);
    }

    /** Forgets {@code held} on this thread, if it is there; an entry left on another thread goes when that one looks. */
    static void leave(Held held) {
        Deque<Held> stack = HELD.get();
        if (stack == null) {
            return;
        }
        for (Iterator<Held> it = stack.iterator(); it.hasNext(); ) {
            if (it.next() == held) {
                it.remove();
                break;
            }
        }
        if (stack.isEmpty()) {
            // No ThreadLocal entry stays behind on a pooled scheduler thread.
            HELD.remove();
        }
    }

    /** Forgets every lock of this thread without unlocking any. */
    static void forgetAll() {
        HELD.remove();
    }

    /** One granted lease, shared by its {@code SimpleLock} and those {@code extend} returns, until unlocked. */
    static final class Held {
        private final Lease lease;
        private volatile boolean ended;

        Held(Lease lease) {
            this.lease = lease;
        }

        Lease lease() {
            return lease;
        }

        boolean ended() {
            return ended;
        }

        void end() {
            ended = true;
            leave(this);
        }
    }
}
