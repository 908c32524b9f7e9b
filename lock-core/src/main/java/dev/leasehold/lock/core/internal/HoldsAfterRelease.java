package dev.leasehold.lock.core.internal;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The lease each name was last released with a minimum hold, by one manager: while the hold lasts its row still names
 * the manager as owner, and the engine must not take it for a grant of its own when it looks for a grant whose reply
 * was lost. The token makes an entry exact (a later grant of the name has a larger one); entries whose hold has surely
 * ended are only dropped to bound the memory of many names.
 *
 * <p>This class is thread-safe.
 */
final class HoldsAfterRelease {

    static final int KEPT_BEFORE_PRUNING = 1024;

    private record Hold(long token, long endNanos) {}

    private final ConcurrentHashMap<String, Hold> holds = new ConcurrentHashMap<>();
    private volatile int pruneAbove = KEPT_BEFORE_PRUNING;

    /** Remembers a lease being released with a minimum hold, before the store is asked, so that a lost reply counts. */
    void remember(String name, long token, Duration minHold) {
        long now = System.nanoTime();
        // The hold counts from the grant by the database clock, so counted from now it surely ends no earlier.
        holds.put(name, new Hold(token, now + minHold.toNanos()));
        if (holds.size() > pruneAbove) {
            holds.values().removeIf(h -> h.endNanos() - now < 0);
            // Pruning again only once the map has grown as much again keeps a release's cost constant on average.
            pruneAbove = Math.max(KEPT_BEFORE_PRUNING, 2 * holds.size());
        }
    }

    /** Whether the row of {@code name} with {@code token} is this manager's hold after a release, not a grant. */
    boolean isHold(String name, long token) {
        Hold hold = holds.get(name);
        return hold != null && hold.token() == token;
    }

    /** How many are remembered: pruning keeps it bounded by the holds not yet over. */
    int size() {
        return holds.size();
    }
}
