package dev.leasehold.lock.advisory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.leasehold.lock.LockSettings;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Options: defaults, properties, and bad values rejected with the name of what is wrong. */
class AdvisoryOptionsTest {

    @Test
    void defaults() {
        AdvisoryOptions o = AdvisoryOptions.defaults();
        assertThat(o.takeover()).isEqualTo(Takeover.IMMEDIATE);
        assertThat(o.livenessInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(o.maxLocks()).isEqualTo(1000);
        assertThat(AdvisoryOptions.from(LockSettings.builder().build())).isEqualTo(o);
    }

    @Test
    void propertiesAreRead() {
        AdvisoryOptions o = AdvisoryOptions.from(LockSettings.builder()
                .property("leasehold.advisory.takeover", "AFTER_EXPIRY")
                .property("leasehold.advisory.livenessInterval", "250ms")
                .property("leasehold.advisory.maxLocks", "7")
                .property("other.backend.key", "ignored")
                .build());
        assertThat(o).isEqualTo(new AdvisoryOptions(Takeover.AFTER_EXPIRY, Duration.ofMillis(250), 7));
        assertThat(AdvisoryOptions.from(LockSettings.builder()
                                .property("leasehold.advisory.livenessInterval", "PT0.1S")
                                .property("leasehold.advisory.takeover", "immediate")
                                .build())
                        .livenessInterval())
                .isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void badValuesAreRejected() {
        assertThatThrownBy(() -> AdvisoryOptions.builder().maxLocks(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxLocks");
        assertThatThrownBy(() -> AdvisoryOptions.builder()
                        .livenessInterval(Duration.ofMillis(5))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("livenessInterval");
        assertThatThrownBy(() -> AdvisoryOptions.builder().takeover(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("takeover");
        assertThatThrownBy(() -> AdvisoryOptions.from(LockSettings.builder()
                        .property("leasehold.advisory.maxLocks", "many")
                        .build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("leasehold.advisory.maxLocks");
        assertThatThrownBy(() -> AdvisoryOptions.from(LockSettings.builder()
                        .property("leasehold.advisory.livenessInterval", "soon")
                        .build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("leasehold.advisory.livenessInterval");
        assertThatThrownBy(() -> AdvisoryOptions.from(LockSettings.builder()
                        .property("leasehold.advisory.maxLocks", "0")
                        .build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxLocks");
    }

    @Test
    void optionsGivenAsAValueReachTheBackendThroughTheBuilder() {
        AdvisoryOptions typed = AdvisoryOptions.builder()
                .takeover(Takeover.AFTER_EXPIRY)
                .maxLocks(9)
                .build();
        assertThat(AdvisoryOptions.from(LockSettings.builder().resource(typed).build()))
                .isSameAs(typed);
        assertThatThrownBy(() -> AdvisoryOptions.from(LockSettings.builder()
                        .resource(typed)
                        .property("leasehold.advisory.maxLocks", "3")
                        .build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("one way");
        assertThatThrownBy(() -> AdvisoryOptions.from(LockSettings.builder()
                        .property("leasehold.advisory.livenessInterval", "250")
                        .build()))
                .as("a number without a unit")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("with a unit");
    }
}
