package dev.leasehold.lock.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.micrometer.LeaseholdMetrics;
import dev.leasehold.lock.spring.Locked;
import dev.leasehold.lock.spring.Locked.OnHeld;
import dev.leasehold.lock.testing.DatabaseKind;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The metrics in a real application context on H2 in memory: bound when a {@link MeterRegistry} bean exists, values
 * after a known sequence of {@code @Locked} calls (one run, one skipped because another node holds the lock), the
 * lock name tag by property, nothing without a registry.
 */
class LeaseholdMetricsAutoConfigurationTest {

    @RegisterExtension
    static final SpringApps apps = new SpringApps(DatabaseKind.H2, "metrics");

    private LockManager otherNode;

    @BeforeEach
    void startOtherNode() {
        otherNode = apps.otherNode();
    }

    @AfterEach
    void stopOtherNode() {
        otherNode.close();
    }

    private static ApplicationContextRunner runner() {
        return apps.runner()
                .withConfiguration(AutoConfigurations.of(LeaseholdMetricsAutoConfiguration.class))
                .withUserConfiguration(ReportConfig.class);
    }

    @Test
    void metersCountARunAndASkipOfALockedMethod() {
        runner().withBean(MeterRegistry.class, SimpleMeterRegistry::new).run(context -> {
            assertThat(context).hasSingleBean(LeaseholdMetrics.class);
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            Report report = context.getBean(Report.class);

            report.run();
            try (Lease held = otherNode.lock("report").acquire()) {
                report.run();
            }

            assertThat(report.runs()).isEqualTo(1);
            assertThat(registry.get(LeaseholdMetrics.ACQUIRE)
                            .tags("backend", "jdbc", "outcome", "acquired")
                            .counter()
                            .count())
                    .isEqualTo(1);
            assertThat(registry.get(LeaseholdMetrics.ACQUIRE)
                            .tags("backend", "jdbc", "outcome", "held")
                            .counter()
                            .count())
                    .isEqualTo(1);
            assertThat(registry.get(LeaseholdMetrics.RELEASES)
                            .tags("backend", "jdbc")
                            .counter()
                            .count())
                    .isEqualTo(1);
            assertThat(registry.get(LeaseholdMetrics.LEASES_HELD).gauge().value())
                    .isZero();
            assertThat(registry.get(LeaseholdMetricsAutoConfiguration.LOCKED_SKIPPED)
                            .tags("method", "Report.run", "reason", "held")
                            .counter()
                            .count())
                    .isEqualTo(1);
            assertThat(registry.find(LeaseholdMetrics.ACQUIRE)
                            .tagKeys(LeaseholdMetrics.LOCK_TAG)
                            .meters())
                    .isEmpty();
        });
    }

    @Test
    void theLockNameTagIsSetByProperty() {
        runner().withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .withPropertyValues("leasehold.metrics.lock-name-tag=true")
                .run(context -> {
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    Report report = context.getBean(Report.class);
                    try (Lease held = otherNode.lock("report").acquire()) {
                        report.run();
                    }
                    assertThat(registry.get(LeaseholdMetrics.ACQUIRE)
                                    .tags("lock", "report", "outcome", "held")
                                    .counter()
                                    .count())
                            .isEqualTo(1);
                    assertThat(registry.get(LeaseholdMetricsAutoConfiguration.LOCKED_SKIPPED)
                                    .tags("lock", "report")
                                    .counter()
                                    .count())
                            .isEqualTo(1);
                });
    }

    @Test
    void withoutARegistryNothingIsBoundAndLockedStillWorks() {
        runner().run(context -> {
            assertThat(context).doesNotHaveBean(LeaseholdMetrics.class);
            assertThat(context).hasSingleBean(LockManager.class);
            Report report = context.getBean(Report.class);
            report.run();
            assertThat(report.runs()).isEqualTo(1);
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class ReportConfig {
        @Bean
        Report report() {
            return new Report();
        }
    }

    static class Report {
        final AtomicInteger runs = new AtomicInteger();

        /** Through the proxy: its own fields are not the bean's. */
        public int runs() {
            return runs.get();
        }

        @Locked(name = "report", onHeld = OnHeld.SKIP)
        public void run() {
            runs.incrementAndGet();
        }
    }
}
