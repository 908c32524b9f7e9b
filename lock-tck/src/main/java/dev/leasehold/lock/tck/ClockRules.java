package dev.leasehold.lock.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockManager;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Rules 10.x of SPEC.md: the store's clock. */
public interface ClockRules extends TckSuite {

    /** How far the store's clock is skewed against the JVM's, each way. */
    Duration SKEW = Duration.ofHours(1);

    /**
     * R10.1: expiry is judged by the store's clock alone, however far it is from the client's. When it fails: the
     * store computes an expiry from the client's clock ({@code Instant.now()}, a timestamp bound as a parameter) and
     * compares it with its own clock, or the other way round: with the store's clock ahead, a lease expires at once and
     * a second holder is granted a held lock (or a renewal finds its lease gone); with it behind, a lease outlives the
     * skew and a crashed holder's lock is never taken over. A store over a database fails it when it reads, writes or
     * computes with the session's local time ({@code NOW()} or {@code LOCALTIMESTAMP} into a timestamp without time
     * zone, an epoch computed from a local time): its managers' sessions sit in time zones an hour either side of UTC
     * there, and disagree about expiry by two hours. An engine fails it when it judges a lease's time left by the wall
     * clock.
     */
    @Test
    default void required_r10_1_expiryIsJudgedByTheStoresClock() {
        for (Duration offset : List.of(SKEW, SKEW.negated())) {
            tck().skewStoreClock(offset);
            try {
                grantsRenewalsAndExpiryHoldUnder(offset);
            } finally {
                tck().fixture().skewStoreClock(Duration.ZERO);
            }
        }
    }

    private void grantsRenewalsAndExpiryHoldUnder(Duration offset) {
        Duration leaseTime = tck().env().leaseTime();
        LockManager holder = tck().manager();
        LockManager other = tck().manager();
        String name = tck().name("skew");
        String skew = "with the store's clock " + offset + " off the JVM's";

        Lease lease = holder.lock(name).tryAcquire().orElseThrow(() -> new AssertionError("no grant " + skew));
        assertThat(other.lock(name).tryAcquire())
                .as("a second grant of a held lock " + skew)
                .isEmpty();
        assertThat(lease.validFor()).as("validFor() " + skew).isPositive().isLessThanOrEqualTo(leaseTime);
        assertThat(holder.inspect(name))
                .as("inspect " + skew)
                .hasValueSatisfying(i -> assertThat(i.expiresAt()).isEqualTo(lease.expiresAt()));

        // Past the first expiry, only renewals by the store's clock keep the lease.
        await().during(leaseTime.plus(tck().env().heartbeat()))
                .atMost(leaseTime.plus(tck().env().heartbeat()).plus(tck().env().slack()))
                .pollInterval(Duration.ofMillis(50))
                .until(lease::isValid);
        assertThat(other.lock(name).tryAcquire())
                .as("a grant of a renewed lease " + skew)
                .isEmpty();

        tck().crash(holder);
        AtomicReference<Lease> taken = new AtomicReference<>();
        await().atMost(leaseTime.plus(tck().env().slack()))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    Optional<Lease> got = other.lock(name).tryAcquire();
                    got.ifPresent(taken::set);
                    return got.isPresent();
                });
        assertThat(taken.get().token()).as("the takeover's token " + skew).isGreaterThan(lease.token());
        taken.get().release();
        assertThat(other.inspect(name)).as("inspect after the release " + skew).isEmpty();
    }
}
