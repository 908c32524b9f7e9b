package dev.leasehold.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.leasehold.lock.internal.Durations;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The one duration syntax of properties and command-line options. */
class DurationsTest {

    @Test
    void unitsDecimalsZeroAndIso8601() {
        assertThat(Durations.parse("500ms", "x")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse(" 30s ", "x")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Durations.parse("1.5s", "x")).isEqualTo(Duration.ofMillis(1500));
        assertThat(Durations.parse("2m", "x")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Durations.parse("1h", "x")).isEqualTo(Duration.ofHours(1));
        assertThat(Durations.parse("1d", "x")).isEqualTo(Duration.ofDays(1));
        assertThat(Durations.parse("0", "x")).isZero();
        assertThat(Durations.parse("PT0.25S", "x")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse("pt1m", "x")).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void aNumberWithoutAUnitOrTextIsRefusedNamingTheProperty() {
        for (String bad : new String[] {"250", "soon", "", "-5s", "5 s"}) {
            assertThatThrownBy(() -> Durations.parse(bad, "leasehold.example"))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("leasehold.example")
                    .hasMessageContaining("500ms");
        }
    }

    @Test
    void formattedAsPeopleWriteThem() {
        assertThat(Durations.format(Duration.ofMillis(250))).isEqualTo("250ms");
        assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1.5s");
        assertThat(Durations.format(Duration.ofMinutes(2))).isEqualTo("2m");
    }
}
