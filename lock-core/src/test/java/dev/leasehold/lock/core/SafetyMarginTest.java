package dev.leasehold.lock.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.RetryOptions;
import dev.leasehold.lock.core.memory.InMemoryLeaseStore;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A lease counts as valid on this host for its lease time less a safety margin, from just before the request that
 * granted it: 5 ms for timestamps kept to the millisecond plus 0.5 % of the lease time for clock-rate drift between
 * this host and the database.
 */
class SafetyMarginTest {

    private static final Duration LEASE = Duration.ofHours(1);

    /** 5 ms plus 0.5 % of an hour (18 s). */
    private static final Duration MARGIN = Duration.ofMillis(5).plusSeconds(18);

    @Test
    void aLeaseIsValidLocallyForItsLeaseTimeLessTheSafetyMargin() {
        try (LeaseLockManager manager = new LeaseLockManager(
                new InMemoryLeaseStore(),
                LockSettings.builder()
                        .ownerId("margin")
                        .leaseTime(LEASE)
                        .retry(RetryOptions.none())
                        .build())) {
            long before = System.nanoTime();
            Lease lease = manager.lock("margin").tryAcquire().orElseThrow();
            Duration validFor = lease.validFor();
            Duration elapsed = Duration.ofNanos(System.nanoTime() - before);

            // The local deadline is (time the request was sent) + LEASE - MARGIN, and the request was sent after
            // `before`: so what is left is at most LEASE - MARGIN and at least that less the time since `before`.
            assertThat(validFor)
                    .isLessThanOrEqualTo(LEASE.minus(MARGIN))
                    .isGreaterThanOrEqualTo(LEASE.minus(MARGIN).minus(elapsed));
        }
    }
}
