package dev.leasehold.lock.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PeriodicPurgeTest {

    @Test
    void theIntervalIsTheIdleAgeWithinAMinuteAndAnHour() {
        assertThat(PeriodicPurge.interval(Duration.ofSeconds(5))).isEqualTo(Duration.ofMinutes(1));
        assertThat(PeriodicPurge.interval(Duration.ofMinutes(20))).isEqualTo(Duration.ofMinutes(20));
        assertThat(PeriodicPurge.interval(Duration.ofDays(30))).isEqualTo(Duration.ofHours(1));
    }
}
