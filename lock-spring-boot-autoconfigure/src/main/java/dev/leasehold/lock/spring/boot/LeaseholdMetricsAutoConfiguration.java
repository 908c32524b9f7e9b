package dev.leasehold.lock.spring.boot;

import dev.leasehold.lock.micrometer.LeaseholdMetrics;
import dev.leasehold.lock.micrometer.MetricsOptions;
import dev.leasehold.lock.spring.LockedSkipListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.Locale;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Leasehold's Micrometer meters ({@code dev.leasehold:lock-micrometer}), when Micrometer and a {@link MeterRegistry}
 * bean are there: a {@link LeaseholdMetrics} listener, which {@link LeaseholdAutoConfiguration} registers on the
 * manager it builds, and a counter of skipped {@code @Locked} calls, {@value #LOCKED_SKIPPED}. It runs before {@link
 * LeaseholdAutoConfiguration}, so that the listener exists when the manager is built, and after Spring Boot's metrics
 * auto-configuration, so that the registry does.
 */
@AutoConfiguration(
        before = LeaseholdAutoConfiguration.class,
        afterName = {
            "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"
        })
@ConditionalOnClass({MeterRegistry.class, LeaseholdMetrics.class})
@ConditionalOnBean(MeterRegistry.class)
@ConditionalOnBooleanProperty(name = "leasehold.enabled", matchIfMissing = true)
@EnableConfigurationProperties(LeaseholdMetricsProperties.class)
public final class LeaseholdMetricsAutoConfiguration {

    /** The counter of skipped {@code @Locked} calls, tagged {@code method}, {@code reason} and optionally {@code lock}. */
    public static final String LOCKED_SKIPPED = "leasehold.locked.skipped";

    /** The listener that records the manager's events; an application's own bean of this type wins. */
    @Bean
    @ConditionalOnMissingBean(LeaseholdMetrics.class)
    LeaseholdMetrics leaseholdMetrics(MeterRegistry registry, LeaseholdMetricsProperties properties) {
        return LeaseholdMetrics.listener(registry, options(properties));
    }

    /** Counts skipped {@code @Locked} calls, by method and reason ({@code held}, {@code shutting_down}). */
    @Bean
    LockedSkipListener leaseholdLockedSkipCounter(MeterRegistry registry, LeaseholdMetricsProperties properties) {
        boolean lockTag = properties.isLockNameTag();
        return (method, lockName, reason) -> {
            Tags tags = Tags.of(
                    "method",
                    method.getDeclaringClass().getSimpleName() + "." + method.getName(),
                    "reason",
                    reason.name().toLowerCase(Locale.ROOT));
            if (lockTag) {
                // A call skipped at shutdown never worked out its lock's name.
                tags = tags.and(LeaseholdMetrics.LOCK_TAG, lockName != null ? lockName : "");
            }
            Counter.builder(LOCKED_SKIPPED)
                    .description("Calls of @Locked(onHeld = SKIP) methods that were skipped")
                    .tags(tags)
                    .register(registry)
                    .increment();
        };
    }

    private static MetricsOptions options(LeaseholdMetricsProperties properties) {
        return MetricsOptions.builder()
                .lockNameTag(properties.isLockNameTag())
                .waitHistogram(properties.isWaitHistogram())
                .build();
    }
}
