package dev.leasehold.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The options of fixed-term leases and minimum holds: what they accept, and what they reject with which message. */
class FixedTermOptionsTest {

    @Test
    void aFixedTermLeaseMayLast366Days() {
        LockOptions options = LockOptions.builder()
                .fixedTerm()
                .leaseTime(Duration.ofDays(366))
                .build();
        assertThat(options.fixedTerm()).isTrue();
        assertThat(options.leaseTime()).contains(Duration.ofDays(366));
    }

    @Test
    void aFixedTermLeaseOfMoreThan366DaysIsRejected() {
        LockOptions.Builder builder =
                LockOptions.builder().fixedTerm().leaseTime(Duration.ofDays(366).plusMillis(1));
        assertThatThrownBy(builder::build)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("leaseTime")
                .hasMessageContaining("366 days");
    }

    @Test
    void aRenewedLeaseOfMoreThanOneDayIsRejectedPointingToFixedTerm() {
        LockOptions.Builder builder = LockOptions.builder().leaseTime(Duration.ofDays(2));
        assertThatThrownBy(builder::build)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("leaseTime")
                .hasMessageContaining("fixedTerm()");
    }

    @Test
    void aFixedTermLeaseWithAHeartbeatIntervalIsRejected() {
        LockOptions.Builder builder = LockOptions.builder()
                .fixedTerm()
                .leaseTime(Duration.ofMinutes(5))
                .heartbeatInterval(Duration.ofMinutes(1));
        assertThatThrownBy(builder::build)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("heartbeatInterval")
                .hasMessageContaining("never renewed");
    }

    @Test
    void aFixedTermLeaseShorterThan10MsIsRejected() {
        LockOptions.Builder builder = LockOptions.builder().fixedTerm().leaseTime(Duration.ofMillis(9));
        assertThatThrownBy(builder::build)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("leaseTime");
    }

    @Test
    void minHoldAcceptsZeroTo366Days() {
        assertThat(LockOptions.builder().minHold(Duration.ZERO).build().minHold())
                .contains(Duration.ZERO);
        assertThat(LockOptions.builder().minHold(Duration.ofDays(366)).build().minHold())
                .contains(Duration.ofDays(366));
    }

    @Test
    void aNegativeOrTooLongMinHoldIsRejected() {
        assertThatThrownBy(() -> LockOptions.builder().minHold(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("minHold")
                .hasMessageContaining("negative");
        assertThatThrownBy(() -> LockOptions.builder().minHold(Duration.ofDays(367)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("minHold")
                .hasMessageContaining("366 days");
        assertThatThrownBy(() -> LockOptions.builder().minHold(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("minHold");
    }

    @Test
    void theThreeValueConstructorMakesRenewedLeasesWithoutAHold() {
        LockOptions options = new LockOptions(Optional.of(Duration.ofSeconds(30)), Optional.empty(), Optional.empty());
        assertThat(options.fixedTerm()).isFalse();
        assertThat(options.minHold()).isEmpty();
    }

    @Test
    void toBuilderKeepsEveryValue() {
        LockOptions options = LockOptions.builder()
                .fixedTerm()
                .leaseTime(Duration.ofHours(2))
                .minHold(Duration.ofMinutes(1))
                .retry(RetryOptions.none())
                .build();
        assertThat(options.toBuilder().build()).isEqualTo(options);
    }
}
