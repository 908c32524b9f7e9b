package dev.leasehold.lock.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leasehold.lock.RetryOptions;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The sleep before each retry of a waiting acquire: grown by the backoff factor, capped at the maximum delay, spread
 * by the jitter, and never past the wait's budget.
 */
class WaitingAcquireTest {

    private static final Duration BASE = Duration.ofMillis(100);

    @Test
    void eachRetryWaitsTheDelayTimesTheFactorToThePowerOfTheRetriesBefore() {
        RetryOptions options = RetryOptions.builder()
                .delay(BASE)
                .backoff(Duration.ofSeconds(10), 2.0)
                .build();

        assertThat(WaitingAcquire.nextDelay(options, 1, null)).isEqualTo(BASE);
        assertThat(WaitingAcquire.nextDelay(options, 2, null)).isEqualTo(BASE.multipliedBy(2));
        assertThat(WaitingAcquire.nextDelay(options, 4, null)).isEqualTo(BASE.multipliedBy(8));
    }

    @Test
    void theBackoffStopsAtTheMaximumDelay() {
        RetryOptions options = RetryOptions.builder()
                .delay(BASE)
                .backoff(Duration.ofMillis(250), 2.0)
                .build();

        assertThat(WaitingAcquire.nextDelay(options, 2, null)).isEqualTo(Duration.ofMillis(200));
        assertThat(WaitingAcquire.nextDelay(options, 3, null)).isEqualTo(Duration.ofMillis(250));
        assertThat(WaitingAcquire.nextDelay(options, 30, null)).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void jitterSpreadsEachDelayWithinItsFractionBothWays() {
        RetryOptions options = RetryOptions.builder().delay(BASE).jitter(0.5).build();
        Duration shortest = BASE;
        Duration longest = BASE;

        // 2,000 draws from a uniform spread of +-50 %: each half is missed with probability 2^-2000.
        for (int i = 0; i < 2_000; i++) {
            Duration delay = WaitingAcquire.nextDelay(options, 1, null);
            assertThat(delay).isBetween(Duration.ofMillis(50), Duration.ofMillis(150));
            shortest = shortest.compareTo(delay) < 0 ? shortest : delay;
            longest = longest.compareTo(delay) > 0 ? longest : delay;
        }

        assertThat(shortest).isLessThan(Duration.ofMillis(90));
        assertThat(longest).isGreaterThan(Duration.ofMillis(110));
    }

    @Test
    void aDelayNeverOutlastsTheBudgetNorGoesBelowZero() {
        RetryOptions options =
                RetryOptions.builder().delay(Duration.ofSeconds(5)).build();
        long now = System.nanoTime();

        Duration withinBudget =
                WaitingAcquire.nextDelay(options, 1, now + Duration.ofSeconds(1).toNanos());
        Duration budgetSpent =
                WaitingAcquire.nextDelay(options, 1, now - Duration.ofSeconds(1).toNanos());

        assertThat(withinBudget).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(budgetSpent).isZero();
        assertThat(WaitingAcquire.nextDelay(options, 1, null)).isEqualTo(Duration.ofSeconds(5));
    }
}
