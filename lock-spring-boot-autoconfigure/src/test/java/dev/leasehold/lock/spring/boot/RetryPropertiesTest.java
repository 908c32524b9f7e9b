package dev.leasehold.lock.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leasehold.lock.RetryOptions;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** The {@code leasehold.retry.*} properties, bound as Spring binds them, become the {@link RetryOptions} they say. */
class RetryPropertiesTest {

    private static RetryOptions bind(Map<String, String> properties) {
        LeaseholdProperties bound = new Binder(new MapConfigurationPropertySource(properties))
                .bindOrCreate("leasehold", LeaseholdProperties.class);
        return PropertiesLockManagerFactory.retry(bound.getRetry());
    }

    @Test
    void withoutPropertiesTheyAreTheDefaultsOfRetryOptions() {
        assertThat(bind(Map.of())).isEqualTo(RetryOptions.defaults());
    }

    @Test
    void eachPropertyReachesItsOption() {
        RetryOptions options = bind(Map.of(
                "leasehold.retry.max-retries", "-1",
                "leasehold.retry.delay", "50ms",
                "leasehold.retry.max-delay", "2s",
                "leasehold.retry.backoff-factor", "1.5",
                "leasehold.retry.jitter", "0.25",
                "leasehold.retry.max-wait", "10s"));
        assertThat(options)
                .isEqualTo(new RetryOptions(
                        -1,
                        Duration.ofMillis(50),
                        Duration.ofSeconds(2),
                        1.5,
                        0.25,
                        Optional.of(Duration.ofSeconds(10))));
    }

    @Test
    void aDelayAloneIsAFixedDelay() {
        assertThat(bind(Map.of("leasehold.retry.delay", "250ms")))
                .isEqualTo(RetryOptions.builder().delay(Duration.ofMillis(250)).build());
    }
}
