package dev.leasehold.lock.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TimelineTest {

    @Test
    void aWindowHoldsTheStepsThatOverlapItInTheOrderTheyStarted() {
        Timeline timeline = new Timeline();
        timeline.add("p1", "release", 1_000_000, 2_000_000);
        timeline.add("p0", "acquire", -5_000_000, 9_000_000); // began long before the window
        timeline.add("p2", "before", -3_000_000, -1_000_000);
        timeline.add("p3", "after", 11_000_000, 12_000_000);

        assertThat(timeline.between(0, 10_000_000))
                .extracting(Timeline.Event::what)
                .containsExactly("acquire", "release");
        assertThat(timeline.describe(0, 10_000_000).lines())
                .containsExactly(
                        "    -5.00      9.00    14.00  p0                           acquire",
                        "     1.00      2.00     1.00  p1                           release");
    }

    @Test
    void aStatementIsShownOnOneShortLine() {
        assertThat(Timeline.shorten("SELECT  1\n  FROM t", 40)).isEqualTo("SELECT 1 FROM t");
        assertThat(Timeline.shorten("UPDATE t SET a = 1", 6)).isEqualTo("UPDATE…");
    }
}
