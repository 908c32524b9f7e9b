package dev.leasehold.lock.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.Locks;
import dev.leasehold.lock.core.LeaseLockManager;
import dev.leasehold.lock.spring.LockedAnnotationBeanPostProcessor;
import dev.leasehold.lock.testing.DatabaseKind;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;

/** The auto-configuration on H2 in memory: the bean from properties, its conditions, and errors naming properties. */
class LeaseholdAutoConfigurationTest {

    @RegisterExtension
    static final SpringApps apps = new SpringApps(DatabaseKind.H2, "autoconfig");

    private static ApplicationContextRunner runner() {
        return apps.runner();
    }

    @Test
    void buildsOneManagerFromTheProperties() {
        runner().withPropertyValues(
                        "leasehold.lease-time=7s", "leasehold.owner-id=node-7", "leasehold.retry.max-retries=0")
                .run(context -> {
                    assertThat(context).hasSingleBean(LockManager.class);
                    LockManager manager = context.getBean(LockManager.class);
                    assertThat(manager.ownerId()).isEqualTo("node-7");
                    try (Lease lease = manager.lock("autoconfig-one").acquire()) {
                        assertThat(lease.validFor()).isLessThanOrEqualTo(Duration.ofSeconds(7));
                        assertThat(lease.validFor()).isGreaterThan(Duration.ofSeconds(5));
                        assertThat(manager.inspect("autoconfig-one")
                                        .orElseThrow()
                                        .ownerId())
                                .isEqualTo("node-7");
                    }
                });
    }

    @Test
    void purgeIdleAfterTurnsOnThePeriodicPurge() {
        runner().run(context -> assertThat(((LeaseLockManager) context.getBean(LockManager.class))
                        .settings()
                        .purgeIdleAfter())
                .isEmpty());
        runner().withPropertyValues("leasehold.purge-idle-after=7d")
                .run(context -> assertThat(((LeaseLockManager) context.getBean(LockManager.class))
                                .settings()
                                .purgeIdleAfter())
                        .contains(Duration.ofDays(7)));
        runner().withPropertyValues("leasehold.purge-idle-after=0s").run(context -> {
            assertThat(context).hasFailed();
            assertThat(rootMessage(context.getStartupFailure())).contains("leasehold.purge-idle-after");
        });
    }

    @Test
    void theDefaultOwnerIdStartsWithTheApplicationName() {
        runner().withPropertyValues("spring.application.name=billing").run(context -> {
            String owner = context.getBean(LockManager.class).ownerId();
            assertThat(owner)
                    .startsWith("billing:")
                    .contains(":" + ProcessHandle.current().pid() + ":");
        });
    }

    @Test
    void backsOffWhenTheApplicationDefinesItsOwnManager() {
        runner().withUserConfiguration(OwnManager.class).run(context -> {
            assertThat(context).hasSingleBean(LockManager.class);
            assertThat(context.getBean(LockManager.class).ownerId()).isEqualTo("own-manager");
            assertThat(context).hasSingleBean(LeaseholdLifecycle.class);
        });
    }

    @Test
    void leaseholdEnabledFalseTurnsEverythingOff() {
        runner().withPropertyValues("leasehold.enabled=false").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(LockManager.class);
            assertThat(context).doesNotHaveBean(LockedAnnotationBeanPostProcessor.class);
            assertThat(context).doesNotHaveBean(LeaseholdLifecycle.class);
        });
    }

    @Test
    void withoutADataSourceThereIsNoManager() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(LeaseholdAutoConfiguration.class))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).doesNotHaveBean(LockManager.class);
                });
    }

    @Test
    void anInvalidPropertyStopsStartUpNamingTheProperty() {
        runner().withPropertyValues("leasehold.lease-time=5ms").run(context -> {
            assertThat(context).hasFailed();
            assertThat(rootMessage(context.getStartupFailure()))
                    .contains("leasehold.lease-time")
                    .contains("leaseTime");
        });
        runner().withPropertyValues("leasehold.heartbeat-interval=40s").run(context -> {
            assertThat(context).hasFailed();
            assertThat(rootMessage(context.getStartupFailure())).contains("leasehold.heartbeat-interval");
        });
    }

    @Test
    void anUnknownBackendStopsStartUpSayingHowToChoose() {
        runner().withPropertyValues("leasehold.backend=nosuch").run(context -> {
            assertThat(context).hasFailed();
            assertThat(rootMessage(context.getStartupFailure()))
                    .contains("nosuch")
                    .contains("leasehold.backend");
        });
    }

    @Test
    void theConfigurationMetadataDescribesTheProperties() throws Exception {
        ClassPathResource metadata = new ClassPathResource("META-INF/spring-configuration-metadata.json");
        assertThat(metadata.exists()).isTrue();
        String json = metadata.getContentAsString(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(json)
                .contains("\"leasehold.lease-time\"")
                .contains("\"leasehold.retry.max-wait\"")
                .contains("\"leasehold.create-table\"")
                .contains("\"leasehold.enabled\"")
                .contains("\"leasehold.advisory.max-locks\"");
    }

    static String rootMessage(Throwable failure) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append('\n');
        }
        return all.toString();
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnManager {
        @Bean(destroyMethod = "close")
        LockManager ownManager(javax.sql.DataSource dataSource) {
            return Locks.builder()
                    .dataSource(dataSource)
                    .tablePrefix(apps.prefix())
                    .ownerId("own-manager")
                    .build();
        }
    }
}
