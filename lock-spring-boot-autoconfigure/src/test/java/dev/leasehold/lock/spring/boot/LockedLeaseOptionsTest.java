package dev.leasehold.lock.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockExpiredException;
import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.spring.Locked;
import dev.leasehold.lock.spring.Locked.OnHeld;
import dev.leasehold.lock.spring.LockedContext;
import dev.leasehold.lock.testing.DatabaseKind;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@code @Locked(minHold = ...)} and {@code @Locked(fixedTerm = true)} in a real application context on H2 in memory.
 * "Another node" is a second {@link LockManager} over the same table, as another process would have.
 */
class LockedLeaseOptionsTest {

    @RegisterExtension
    static final SpringApps apps = new SpringApps(DatabaseKind.H2, "locked_opts");

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
        return apps.runner().withUserConfiguration(ServiceConfig.class);
    }

    @Test
    void aMinimumHoldKeepsTheLockFromOthersAfterTheMethodReturnsUntilTheHoldEnds() {
        runner().run(context -> {
            Service service = context.getBean(Service.class);
            Lease lease = service.holdAfterReturning();
            assertThat(lease.isValid()).as("released by this manager").isFalse();

            // The store keeps the row of this owner and token until the grant plus the hold, by the database clock.
            LockInfo info = otherNode.inspect("held").orElseThrow();
            assertThat(info.token()).isEqualTo(lease.token());
            assertThat(info.ownerId()).isEqualTo(lease.ownerId());
            assertThat(info.expiresAt())
                    .isCloseTo(lease.acquiredAt().plus(Service.MIN_HOLD), within(1, ChronoUnit.MILLIS));

            Lease next = await().atMost(Duration.ofSeconds(15))
                    .until(() -> otherNode.lock("held").tryAcquire(), Optional::isPresent)
                    .orElseThrow();
            try {
                assertThat(next.acquiredAt())
                        .as("granted to another node only once the hold has ended")
                        .isAfterOrEqualTo(lease.acquiredAt().plus(Service.MIN_HOLD));
                assertThat(next.token()).isGreaterThan(lease.token());
            } finally {
                next.release();
            }
        });
    }

    @Test
    void aFixedTermLeaseEndsAtItsTermWhileTheMethodRunsAndAnotherNodeTakesTheLock() throws Exception {
        runner().run(context -> {
            Service service = context.getBean(Service.class);
            CountDownLatch seenInvalid = new CountDownLatch(1);
            CountDownLatch finish = new CountDownLatch(1);
            CompletableFuture<Lease> call =
                    CompletableFuture.supplyAsync(() -> service.outliveTheTerm(seenInvalid, finish));
            assertThat(seenInvalid.await(10, TimeUnit.SECONDS))
                    .as("the method saw its lease invalid")
                    .isTrue();

            Lease taken = await().atMost(Duration.ofSeconds(10))
                    .until(() -> otherNode.lock("term").tryAcquire(), Optional::isPresent)
                    .orElseThrow();
            try {
                finish.countDown();
                assertThatThrownBy(() -> call.get(10, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class)
                        .hasCauseInstanceOf(LockExpiredException.class);
                Lease lost = service.termLeases().get(0);
                assertThat(taken.acquiredAt())
                        .as("not renewed: taken at its term, not later")
                        .isAfterOrEqualTo(lost.acquiredAt().plus(Service.TERM));
                assertThat(taken.token()).isGreaterThan(lost.token());
            } finally {
                finish.countDown();
                taken.release();
            }
        });
    }

    @Test
    void aBadMinHoldStopsStartUpNamingBeanMethodAttributeAndValue() {
        apps.runner().withUserConfiguration(BadMinHoldConfig.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(LeaseholdAutoConfigurationTest.rootMessage(context.getStartupFailure()))
                    .contains("bean 'badMinHold'")
                    .contains("BadMinHold.run()")
                    .contains("@Locked(minHold = \"367d\")")
                    .contains("366 days");
        });
        apps.runner().withUserConfiguration(NegativeMinHoldConfig.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(LeaseholdAutoConfigurationTest.rootMessage(context.getStartupFailure()))
                    .contains("bean 'negativeMinHold'")
                    .contains("@Locked(minHold = \"-1s\")")
                    .contains("is negative");
        });
    }

    @Test
    void aLeaseTimeTooLongForItsKindOfLeaseStopsStartUp() {
        // Renewed leases last at most a day: the message points at fixedTerm, which takes such a lease.
        apps.runner().withUserConfiguration(LongRenewedConfig.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(LeaseholdAutoConfigurationTest.rootMessage(context.getStartupFailure()))
                    .contains("bean 'longRenewed'")
                    .contains("LongRenewed.run()")
                    .contains("@Locked(leaseTime = \"2d\")")
                    .contains("set fixedTerm = true");
        });
        apps.runner().withUserConfiguration(LongFixedTermConfig.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(LeaseholdAutoConfigurationTest.rootMessage(context.getStartupFailure()))
                    .contains("bean 'longFixedTerm'")
                    .contains("@Locked(leaseTime = \"367d\", fixedTerm = true)")
                    .contains("fixed-term lease lasts at most")
                    .doesNotContain("set fixedTerm");
        });
        apps.runner()
                .withUserConfiguration(FixedTermDaysConfig.class)
                .run(context -> assertThat(context).hasNotFailed());
    }

    static class Service {
        static final Duration MIN_HOLD = Duration.ofSeconds(2);
        static final Duration TERM = Duration.ofMillis(500);

        final List<Lease> termLeases = new CopyOnWriteArrayList<>();

        @Locked(name = "held", onHeld = OnHeld.FAIL, minHold = "2s")
        public Lease holdAfterReturning() {
            return LockedContext.currentLease();
        }

        @Locked(name = "term", onHeld = OnHeld.FAIL, leaseTime = "500ms", fixedTerm = true)
        public Lease outliveTheTerm(CountDownLatch seenInvalid, CountDownLatch finish) {
            Lease lease = LockedContext.currentLease();
            termLeases.add(lease);
            await().atMost(Duration.ofSeconds(10)).until(() -> !lease.isValid());
            seenInvalid.countDown();
            try {
                finish.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return lease;
        }

        // Tests read state through methods: a field read on the proxy would see the proxy's own, unset, fields.
        public List<Lease> termLeases() {
            return termLeases;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class ServiceConfig {
        @Bean
        Service service() {
            return new Service();
        }
    }

    static class BadMinHold {
        @Locked(name = "x", onHeld = OnHeld.FAIL, minHold = "367d")
        public void run() {}
    }

    @Configuration(proxyBeanMethods = false)
    static class BadMinHoldConfig {
        @Bean
        BadMinHold badMinHold() {
            return new BadMinHold();
        }
    }

    static class NegativeMinHold {
        @Locked(name = "x", onHeld = OnHeld.FAIL, minHold = "-1s")
        public void run() {}
    }

    @Configuration(proxyBeanMethods = false)
    static class NegativeMinHoldConfig {
        @Bean
        NegativeMinHold negativeMinHold() {
            return new NegativeMinHold();
        }
    }

    static class LongRenewed {
        @Locked(name = "x", onHeld = OnHeld.FAIL, leaseTime = "2d")
        public void run() {}
    }

    @Configuration(proxyBeanMethods = false)
    static class LongRenewedConfig {
        @Bean
        LongRenewed longRenewed() {
            return new LongRenewed();
        }
    }

    static class LongFixedTerm {
        @Locked(name = "x", onHeld = OnHeld.FAIL, leaseTime = "367d", fixedTerm = true)
        public void run() {}
    }

    @Configuration(proxyBeanMethods = false)
    static class LongFixedTermConfig {
        @Bean
        LongFixedTerm longFixedTerm() {
            return new LongFixedTerm();
        }
    }

    static class FixedTermDays {
        @Locked(name = "x", onHeld = OnHeld.SKIP, leaseTime = "7d", fixedTerm = true, minHold = "6d")
        public void run() {}
    }

    @Configuration(proxyBeanMethods = false)
    static class FixedTermDaysConfig {
        @Bean
        FixedTermDays fixedTermDays() {
            return new FixedTermDays();
        }
    }
}
