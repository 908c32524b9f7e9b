package dev.leasehold.lock.core.memory;

import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.internal.Arguments;
import dev.leasehold.lock.spi.AwaitOutcome;
import dev.leasehold.lock.spi.LeaseGrant;
import dev.leasehold.lock.spi.LeaseKey;
import dev.leasehold.lock.spi.LeaseStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The reference {@link LeaseStore}: leases kept in memory, judged by an injectable {@link Clock} that plays the
 * database clock. It passes every rule of the TCK and is meant for tests: {@code new LeaseLockManager(new
 * InMemoryLeaseStore(), settings)} is a manager over a store of its own; with {@code dev.leasehold:lock-memory} on
 * the class path, {@code Locks.builder().backend("memory").build()} uses one store shared by the JVM ({@link
 * #shared()}) and {@code .resource(new InMemoryLeaseStore())} a store of its own. lock-core registers no provider for
 * it, so that an application never gets locks that only this JVM sees without asking for them.
 *
 * <p>Like the lease table, it keeps a row per name until {@link #purgeIdle} forgets it, and a token floor raised by
 * every purge, from which a forgotten name's next token starts, so tokens never go back. Waiters wake as soon as a lock
 * is released ({@link #awaitChange}).
 *
 * <p>This class is thread-safe: every operation is atomic under the store's monitor.
 */
public final class InMemoryLeaseStore implements LeaseStore {

    private static final InMemoryLeaseStore SHARED = new InMemoryLeaseStore();

    private record Row(String owner, long token, Instant acquiredAt, Instant expiresAt) {
        boolean heldAt(Instant now) {
            return owner != null && expiresAt.isAfter(now);
        }
    }

    private final Clock clock;
    private final Map<String, Row> rows = new HashMap<>();
    /** At least the last token of every name purged; a name without a row starts above it. Guarded by this. */
    private long floor;

    /** A store judged by the system clock. */
    public InMemoryLeaseStore() {
        this(Clock.systemUTC());
    }

    /** A store judged by {@code clock}, for tests that move or skew the "database" clock. */
    public InMemoryLeaseStore(Clock clock) {
        this.clock = Arguments.notNull(clock, "clock");
    }

    /** The store shared by the JVM, which the {@code memory} provider uses when the settings carry none. */
    public static InMemoryLeaseStore shared() {
        return SHARED;
    }

    @Override
    public synchronized Optional<LeaseGrant> tryAcquire(String name, String owner, Duration leaseTime) {
        Instant now = clock.instant();
        Row row = rows.get(name);
        if (row != null && row.heldAt(now)) {
            return Optional.empty();
        }
        long token = row == null ? floor + 1 : row.token() + 1;
        Instant expiresAt = now.plus(leaseTime);
        rows.put(name, new Row(owner, token, now, expiresAt));
        return Optional.of(new LeaseGrant(token, now, expiresAt));
    }

    @Override
    public synchronized Optional<Instant> renew(String name, String owner, long token, Duration leaseTime) {
        Instant now = clock.instant();
        Row row = rows.get(name);
        if (!matches(row, owner, token, now)) {
            return Optional.empty();
        }
        Instant expiresAt = now.plus(leaseTime);
        rows.put(name, new Row(owner, token, row.acquiredAt(), expiresAt));
        return Optional.of(expiresAt);
    }

    @Override
    public synchronized Map<String, Instant> renewAll(String owner, Collection<LeaseKey> leases, Duration leaseTime) {
        Map<String, Instant> renewed = new LinkedHashMap<>();
        for (LeaseKey lease : leases) {
            renew(lease.name(), owner, lease.token(), leaseTime).ifPresent(e -> renewed.put(lease.name(), e));
        }
        return renewed;
    }

    @Override
    public synchronized boolean release(String name, String owner, long token) {
        Instant now = clock.instant();
        Row row = rows.get(name);
        if (!matches(row, owner, token, now)) {
            return false;
        }
        rows.put(name, new Row(null, token, row.acquiredAt(), now));
        notifyAll();
        return true;
    }

    @Override
    public synchronized boolean releaseAfter(String name, String owner, long token, Duration minHold) {
        Instant now = clock.instant();
        Row row = rows.get(name);
        if (!matches(row, owner, token, now)) {
            return false;
        }
        Instant holdEnd = row.acquiredAt().plus(minHold);
        // While the hold lasts the row keeps its owner and token, so that it excludes everyone and inspect shows it.
        rows.put(
                name,
                holdEnd.isAfter(now)
                        ? new Row(owner, token, row.acquiredAt(), holdEnd)
                        : new Row(null, token, row.acquiredAt(), now));
        notifyAll();
        return true;
    }

    /**
     * Forgets every name whose lock has been free since before the clock's time minus {@code idleFor}, first raising
     * the floor to its last token. A held lease or a minimum hold expires in the future, so it is never forgotten.
     */
    @Override
    public synchronized long purgeIdle(Duration idleFor) {
        Instant before = clock.instant().minus(idleFor);
        long purged = 0;
        for (var it = rows.values().iterator(); it.hasNext(); ) {
            Row row = it.next();
            if (row.expiresAt().isBefore(before)) {
                floor = Math.max(floor, row.token());
                it.remove();
                purged++;
            }
        }
        return purged;
    }

    private static boolean matches(Row row, String owner, long token, Instant now) {
        return row != null && row.heldAt(now) && row.owner().equals(owner) && row.token() == token;
    }

    @Override
    public synchronized Optional<LockInfo> inspect(String name) {
        Row row = rows.get(name);
        if (row == null || !row.heldAt(clock.instant())) {
            return Optional.empty();
        }
        return Optional.of(new LockInfo(name, row.owner(), row.token(), row.acquiredAt(), row.expiresAt()));
    }

    @Override
    public synchronized AwaitOutcome awaitChange(String name, Duration maxWait) throws InterruptedException {
        long end = System.nanoTime() + maxWait.toNanos();
        while (true) {
            Row row = rows.get(name);
            Instant now = clock.instant();
            if (row == null || !row.heldAt(now)) {
                return AwaitOutcome.CHANGED;
            }
            long left = end - System.nanoTime();
            if (left <= 0) {
                return AwaitOutcome.TIMED_OUT;
            }
            // Wake at the holder's expiry too: an expired lease is a change nobody announces.
            long untilExpiry = Duration.between(now, row.expiresAt()).toNanos();
            long sleep = Math.max(1, Math.min(left, untilExpiry));
            wait(sleep / 1_000_000, (int) (sleep % 1_000_000));
        }
    }

    /** Forgets every lock, tokens included. For tests that want a fresh store; never needed between managers. */
    public synchronized void clear() {
        rows.clear();
        floor = 0;
        notifyAll();
    }
}
