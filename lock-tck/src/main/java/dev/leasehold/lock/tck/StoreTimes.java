package dev.leasehold.lock.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.spi.LeaseStore;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Time at the store level, for rules that call a {@link LeaseStore} directly: waiting for a grant nobody renews to run
 * out, idling for a span the rule asks for, and checking an expiry against the store's own clock.
 *
 * <p>The store's clock is never compared with the local one. An expiry is judged from a time the store itself reported
 * (a lease's {@code acquiredAt}), plus the local monotonic time ({@link System#nanoTime()}) that passed between the
 * calls: the store read its clock during each call, so its reading lies between the local times taken just before and
 * just after the call.
 *
 * <p>This class is thread-safe: it has no state.
 */
final class StoreTimes {

    private StoreTimes() {}

    /** The local monotonic time before and after one store call. */
    record Call(long startNanos, long endNanos) {

        /** Marks the start of a call; {@link #end()} marks its end. */
        static Call start() {
            long now = System.nanoTime();
            return new Call(now, now);
        }

        /** This call, ended now. */
        Call end() {
            return new Call(startNanos, System.nanoTime());
        }
    }

    /** How far an expiry may differ from the one the store's clock gives: clock resolution, not latency. */
    static Duration tolerance(TckContext tck) {
        return tck.env().scaled(Duration.ofMillis(20));
    }

    /**
     * Waits until the store shows nothing held on {@code name}, at most {@code lease} plus the slack: the lease a
     * grant nobody renews or releases was given has run out by the store's clock.
     */
    static void awaitExpired(TckContext tck, LeaseStore store, String name, Duration lease) {
        await("the lease of '" + name + "' to run out")
                .atMost(lease.plus(tck.env().slack()))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> store.inspect(name).isEmpty());
    }

    /**
     * Lets {@code span} pass, for a rule that asks for a name to stay idle that long. The span is part of what is
     * checked, not a wait for something to happen.
     */
    static void idle(Duration span) {
        try {
            TimeUnit.NANOSECONDS.sleep(span.toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while idle", e);
        }
    }

    /**
     * Asserts that {@code expiry}, set during {@code call}, is the store's time at that call plus {@code lease}: the
     * store's time is known from {@code acquiredAt}, which it read during {@code grant}.
     */
    static void assertExpiryFromStoreNow(
            TckContext tck, String what, Instant expiry, Instant acquiredAt, Call grant, Call call, Duration lease) {
        Duration tolerance = tolerance(tck);
        Instant earliest =
                acquiredAt.plusNanos(call.startNanos() - grant.endNanos()).plus(lease);
        Instant latest =
                acquiredAt.plusNanos(call.endNanos() - grant.startNanos()).plus(lease);
        assertThat(expiry)
                .as(
                        "%s: the store's time of the call plus %s, so between %s and %s (± %s), acquired at %s",
                        what, lease, earliest, latest, tolerance, acquiredAt)
                .isBetween(earliest.minus(tolerance), latest.plus(tolerance));
    }

    /** The store's view of {@code name}, which must show a holder. */
    static LockInfo holder(LeaseStore store, String name) throws SQLException {
        Optional<LockInfo> info = store.inspect(name);
        assertThat(info).as("holder of '%s'", name).isPresent();
        return info.orElseThrow();
    }
}
