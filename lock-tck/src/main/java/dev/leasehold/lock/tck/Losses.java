package dev.leasehold.lock.tck;

import dev.leasehold.lock.Lease;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The lost-lease signals of the leases a test watches: when each lease's listeners first ran, by {@link
 * System#nanoTime()}, and how many times.
 *
 * <p>This class is thread-safe.
 */
final class Losses {
    private final Map<Lease, Long> lostAt = new ConcurrentHashMap<>();
    private final Map<Lease, AtomicInteger> told = new ConcurrentHashMap<>();

    Lease watch(Lease lease) {
        told.put(lease, new AtomicInteger());
        lease.onLost(e -> {
            lostAt.putIfAbsent(lease, System.nanoTime());
            told.get(lease).incrementAndGet();
        });
        return lease;
    }

    int told(Lease lease) {
        return told.get(lease).get();
    }

    /** Whether the lease was lost no later than {@code bound} after {@code since}, or not (yet) lost. */
    boolean lostWithin(Lease lease, long since, Duration bound) {
        Long at = lostAt.get(lease);
        return at == null || at - since <= bound.toNanos();
    }

    /** The invariants of every lease at any moment: told at most once, invalid once told, lost within the bound. */
    boolean consistent(List<Lease> leases, long since, Duration bound) {
        return leases.stream()
                .allMatch(l -> told(l) <= 1 && (told(l) == 0 || !l.isValid()) && lostWithin(l, since, bound));
    }
}
