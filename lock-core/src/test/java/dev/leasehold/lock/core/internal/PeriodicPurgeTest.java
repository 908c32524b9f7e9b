package dev.leasehold.lock.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.Test;

class PeriodicPurgeTest {

    @Test
    void theIntervalIsTheIdleAgeWithinAMinuteAndAnHour() {
        assertThat(PeriodicPurge.interval(Duration.ofSeconds(5))).isEqualTo(Duration.ofMinutes(1));
        assertThat(PeriodicPurge.interval(Duration.ofMinutes(20))).isEqualTo(Duration.ofMinutes(20));
        assertThat(PeriodicPurge.interval(Duration.ofDays(30))).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void aStoreThatCannotPurgeOrAClosedManagerEndsTheScheduleButAFailureDoesNot() throws Exception {
        CountDownLatch ran = new CountDownLatch(3);
        PeriodicPurge unsupported = start("unsupported", ran, new UnsupportedOperationException("no purge here"));
        PeriodicPurge closed = start("closed", ran, new IllegalStateException("the manager is closed"));
        PeriodicPurge failing = start("failing", ran, new RuntimeException("the database is down"));
        try {
            // Each first run comes within 10 s of the start; the next ones would come a minute apart at the soonest.
            assertThat(ran.await(15, TimeUnit.SECONDS)).isTrue();

            // A schedule that ends leaves no purge thread behind; one that goes on keeps its thread for the next run.
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> !purgeThreadAlive("unsupported") && !purgeThreadAlive("closed"));
            assertThat(purgeThreadAlive("failing")).isTrue();
        } finally {
            for (PeriodicPurge purge : List.of(unsupported, closed, failing)) {
                purge.stop();
            }
        }
    }

    private static PeriodicPurge start(String owner, CountDownLatch ran, RuntimeException failure) {
        ToLongFunction<Duration> purge = idleFor -> {
            ran.countDown();
            throw failure;
        };
        return PeriodicPurge.start(Duration.ofDays(1), purge, "periodic-" + owner);
    }

    private static boolean purgeThreadAlive(String owner) {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("leasehold-purge-periodic-" + owner) && t.isAlive());
    }
}
