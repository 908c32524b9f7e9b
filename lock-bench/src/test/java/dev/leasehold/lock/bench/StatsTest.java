package dev.leasehold.lock.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTest {

    @Test
    void summaryOfRoundsIsMinMedianMax() {
        Stats.Summary odd = Stats.Summary.of(List.of(3.0, 1.0, 2.0));
        assertThat(odd.min()).isEqualTo(1.0);
        assertThat(odd.median()).isEqualTo(2.0);
        assertThat(odd.max()).isEqualTo(3.0);
        assertThat(Stats.Summary.of(List.of(4.0, 1.0, 2.0, 3.0)).median()).isEqualTo(2.5);
        assertThat(odd.format("%.1f")).isEqualTo("2.0 (1.0 – 3.0)");
    }

    @Test
    void failedRoundsAreLeftOutAndNoneIsADash() {
        assertThat(Stats.Summary.of(List.of(Double.NaN, 5.0)).n()).isEqualTo(1);
        assertThat(Stats.Summary.of(List.of()).format("%.1f")).isEqualTo("–");
    }

    @Test
    void percentileIsNearestRank() {
        double[] sorted = new double[100];
        for (int i = 0; i < 100; i++) {
            sorted[i] = i + 1;
        }
        assertThat(Stats.percentile(sorted, 50)).isEqualTo(50);
        assertThat(Stats.percentile(sorted, 99)).isEqualTo(99);
        assertThat(Stats.percentile(sorted, 100)).isEqualTo(100);
        assertThat(Stats.percentile(sorted, 0)).isEqualTo(1);
        assertThat(Stats.percentile(new double[] {7}, 99)).isEqualTo(7);
        assertThat(Stats.percentile(new double[0], 50)).isNaN();
    }
}
