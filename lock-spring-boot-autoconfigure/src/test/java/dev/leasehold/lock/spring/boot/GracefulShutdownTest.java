package dev.leasehold.lock.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.spring.Locked;
import dev.leasehold.lock.spring.Locked.OnHeld;
import dev.leasehold.lock.spring.LockedContext;
import dev.leasehold.lock.testing.DatabaseKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Closing the application context while {@code @Locked} work runs: new calls are refused at once, the running work
 * finishes under a lease that stays valid, and its lock is released in the database before the DataSource closes.
 */
class GracefulShutdownTest {

    @RegisterExtension
    static final SpringApps apps = new SpringApps(DatabaseKind.POSTGRESQL, "shutdown");

    private static ConfigurableApplicationContext start(String drainTimeout) {
        List<String> properties = new ArrayList<>(List.of(apps.properties()));
        properties.add("leasehold.backend=jdbc");
        properties.add("leasehold.lease-time=10s");
        properties.add("leasehold.drain-timeout=" + drainTimeout);
        return new SpringApplicationBuilder(App.class)
                .web(WebApplicationType.NONE)
                .properties(properties.toArray(String[]::new))
                .run();
    }

    @Test
    void closingTheContextDrainsRunningWorkThenReleasesItsLock() throws Exception {
        ConfigurableApplicationContext context = start("20s");
        Job job = context.getBean(Job.class);
        assertThat(job.other()).as("before shutdown").isEqualTo("ran");

        CompletableFuture<Boolean> running = CompletableFuture.supplyAsync(job::longJob);
        assertThat(job.started().await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Void> closing = CompletableFuture.runAsync(context::close);

        // Refused once shutdown has begun: a SKIP call is skipped, any other call fails at once.
        await().atMost(Duration.ofSeconds(10)).until(() -> job.other() == null);
        assertThatThrownBy(job::failing)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("shutting down");
        assertThat(closing).as("the close waits for the running work").isNotDone();

        job.finish().countDown();
        assertThat(running.get(10, TimeUnit.SECONDS))
                .as("the lease stayed valid to the end")
                .isTrue();
        closing.get(10, TimeUnit.SECONDS);

        try (LockManager other = apps.otherNode()) {
            assertThat(other.inspect("long-job"))
                    .as("released, not left to expire")
                    .isEmpty();
            other.lock("long-job").tryAcquire().ifPresent(Lease::release);
        }
    }

    @Test
    void workThatOutlastsTheDrainTimeoutLosesItsLeaseWhichIsLeftToExpire() throws Exception {
        ConfigurableApplicationContext context = start("0s");
        Job job = context.getBean(Job.class);
        CompletableFuture<Boolean> running = CompletableFuture.supplyAsync(job::longJob);
        assertThat(job.started().await(10, TimeUnit.SECONDS)).isTrue();

        context.close();
        try (LockManager other = apps.otherNode()) {
            assertThat(other.inspect("long-job"))
                    .as("still held in the database while the work may run")
                    .isPresent();
        }
        job.finish().countDown();
        assertThat(running)
                .failsWithin(Duration.ofSeconds(10))
                .withThrowableThat()
                .havingRootCause()
                .isInstanceOf(dev.leasehold.lock.LockExpiredException.class);
    }

    static class Job {
        private final CountDownLatch started = new CountDownLatch(1);
        private final CountDownLatch finish = new CountDownLatch(1);

        @Locked(name = "long-job", onHeld = OnHeld.FAIL)
        public boolean longJob() {
            started.countDown();
            try {
                if (!finish.await(30, TimeUnit.SECONDS)) {
                    throw new AssertionError("never told to finish");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            return LockedContext.currentLease().isValid();
        }

        @Locked(name = "other-#{1 + 1}", onHeld = OnHeld.SKIP)
        public String other() {
            return "ran";
        }

        @Locked(name = "failing", onHeld = OnHeld.FAIL)
        public String failing() {
            return "ran";
        }

        public CountDownLatch started() {
            return started;
        }

        public CountDownLatch finish() {
            return finish;
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class App {
        @Bean
        Job job() {
            return new Job();
        }
    }
}
