package dev.leasehold.lock.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockAlreadyHeldException;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.spring.Locked;
import dev.leasehold.lock.spring.Locked.OnHeld;
import dev.leasehold.lock.spring.LockedContext;
import dev.leasehold.lock.testing.DatabaseKind;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * {@code @Locked} in a real application context on H2 in memory. "Another node" is a second {@link LockManager} over
 * the same table, as another process would have.
 */
class LockedTest {

    @RegisterExtension
    static final SpringApps apps = new SpringApps(DatabaseKind.H2, "locked");

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
    void theNameIsATemplateOverTheArgumentsByNameAndPosition() {
        runner().run(context -> {
            Service service = context.getBean(Service.class);
            assertThat(service.pay(new Invoice(42))).isEqualTo("invoice-42");
            assertThat(service.positional("a", 7)).isEqualTo("p-a-7");
            assertThat(service.literal()).isEqualTo("literal-name");
            assertThat(service.withBean()).isEqualTo("acme-sync");
        });
    }

    @Test
    void theMethodRunsHoldingTheLeaseWhichIsReleasedAfter() {
        runner().run(context -> {
            Service service = context.getBean(Service.class);
            Lease seen = service.lease(new Invoice(1));
            assertThat(seen.name()).isEqualTo("lease-1");
            assertThat(service.validInside()).containsExactly(true);
            assertThat(seen.isValid()).as("released after the method").isFalse();
            assertThat(otherNode.lock("lease-1").tryAcquire()).isPresent().get().satisfies(Lease::release);
            assertThatThrownBy(LockedContext::currentLease)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("no @Locked method runs");
            assertThat(LockedContext.findCurrentLease()).isEmpty();
        });
    }

    @Test
    void skipDoesNotRunTheMethodWhenTheLockIsHeldElsewhere() {
        runner().run(context -> {
            Service service = context.getBean(Service.class);
            try (Lease held = otherNode.lock("report").acquire()) {
                service.report();
                assertThat(service.optionalReport()).isEmpty();
                assertThat(service.stringReport()).isNull();
                assertThat(service.reports()).hasValue(0);
            }
            service.report();
            assertThat(service.optionalReport()).contains("ran");
            assertThat(service.stringReport()).isEqualTo("ran");
            assertThat(service.reports()).hasValue(3);
        });
    }

    @Test
    void failThrowsLockAlreadyHeldWhenTheLockIsHeldElsewhere() {
        runner().run(context -> {
            Service service = context.getBean(Service.class);
            try (Lease held = otherNode.lock("invoice-9").acquire()) {
                assertThatThrownBy(() -> service.pay(new Invoice(9)))
                        .isInstanceOf(LockAlreadyHeldException.class)
                        .satisfies(e -> assertThat(((LockAlreadyHeldException) e).heldByThisManager())
                                .isFalse());
            }
            assertThat(service.pay(new Invoice(9))).isEqualTo("invoice-9");
        });
    }

    @Test
    void waitRunsTheMethodOnceTheLockIsReleasedAndGivesUpAfterMaxWait() throws Exception {
        runner().run(context -> {
            Service service = context.getBean(Service.class);
            Lease held = otherNode.lock("queue").acquire();
            assertThatThrownBy(service::waitBriefly).isInstanceOf(LockAlreadyHeldException.class);

            CompletableFuture<Long> waiting = CompletableFuture.supplyAsync(service::waitLong);
            assertThat(waiting).as("held elsewhere: still waiting").isNotDone();
            held.release();
            assertThat(waiting.get(10, TimeUnit.SECONDS)).isGreaterThan(held.token());
        });
    }

    @Test
    void theMethodsOwnExceptionsPassThroughAndTheLockIsReleased() {
        runner().run(context -> {
            Service service = context.getBean(Service.class);
            assertThatThrownBy(service::failing)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("the method's own");
            // Its own LockAlreadyHeldException is not taken for a skip.
            assertThatThrownBy(service::throwsHeld)
                    .isInstanceOf(LockAlreadyHeldException.class)
                    .hasMessage("thrown by the method");
            assertThat(otherNode.lock("failing").tryAcquire()).isPresent().get().satisfies(Lease::release);
        });
    }

    @Test
    void aLockThisThreadHoldsFailsEvenWithSkip() {
        runner().run(context -> {
            Service service = context.getBean(Service.class);
            assertThatThrownBy(service::nested)
                    .isInstanceOf(LockAlreadyHeldException.class)
                    .satisfies(e -> assertThat(((LockAlreadyHeldException) e).heldByThisManager())
                            .isTrue());
        });
    }

    @Test
    void aScheduledLockedMethodRunsUnderItsLock() {
        runner().withUserConfiguration(ScheduledConfig.class).run(context -> {
            Ticker ticker = context.getBean(Ticker.class);
            assertThat(ticker.twoRuns().await(10, TimeUnit.SECONDS)).isTrue();
            String owner = context.getBean(LockManager.class).ownerId();
            assertThat(ticker.holders().subList(0, 2)).containsOnly(owner);
            assertThat(ticker.tokens().get(1)).isGreaterThan(ticker.tokens().get(0));
        });
    }

    @Test
    void anExpressionThatCannotBeParsedStopsStartUpNamingBeanMethodAndExpression() {
        apps.runner().withUserConfiguration(BadSpelConfig.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(LeaseholdAutoConfigurationTest.rootMessage(context.getStartupFailure()))
                    .contains("bean 'badSpel'")
                    .contains("BadSpel.run(Invoice)")
                    .contains("invoice-#{#invoice.}")
                    .contains("cannot be parsed");
        });
    }

    @Test
    void anUnknownParameterStopsStartUp() {
        apps.runner().withUserConfiguration(UnknownParameterConfig.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(LeaseholdAutoConfigurationTest.rootMessage(context.getStartupFailure()))
                    .contains("bean 'unknownParameter'")
                    .contains("#nope")
                    .contains("[invoice]");
        });
    }

    @Test
    void aDurationWithoutAUnitAndSkipOnAPrimitiveStopStartUp() {
        apps.runner().withUserConfiguration(NoUnitConfig.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(LeaseholdAutoConfigurationTest.rootMessage(context.getStartupFailure()))
                    .contains("@Locked(maxWait = \"10\")")
                    .contains("has no unit");
        });
        apps.runner().withUserConfiguration(SkipPrimitiveConfig.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(LeaseholdAutoConfigurationTest.rootMessage(context.getStartupFailure()))
                    .contains("cannot skip a method returning int");
        });
    }

    public static class Invoice {
        private final long id;

        Invoice(long id) {
            this.id = id;
        }

        public long getId() {
            return id;
        }
    }

    static class Service {
        final AtomicInteger reports = new AtomicInteger();
        final List<Boolean> validInside = new CopyOnWriteArrayList<>();

        @Locked(name = "invoice-#{#invoice.id}", onHeld = OnHeld.FAIL)
        public String pay(Invoice invoice) {
            return LockedContext.currentLease().name();
        }

        @Locked(name = "p-#{#p0}-#{#a1}", onHeld = OnHeld.FAIL)
        public String positional(String first, int second) {
            return LockedContext.currentLease().name();
        }

        @Locked(name = "#{@lockNames.tenant()}-sync", onHeld = OnHeld.FAIL)
        public String withBean() {
            return LockedContext.currentLease().name();
        }

        @Locked(name = "literal-name", onHeld = OnHeld.FAIL)
        public String literal() {
            return LockedContext.currentLease().name();
        }

        @Locked(name = "lease-#{#invoice.id}", onHeld = OnHeld.FAIL, leaseTime = "20s")
        public Lease lease(Invoice invoice) {
            Lease lease = LockedContext.currentLease();
            validInside.add(lease.isValid());
            return lease;
        }

        @Locked(name = "report", onHeld = OnHeld.SKIP)
        public void report() {
            reports.incrementAndGet();
        }

        @Locked(name = "report", onHeld = OnHeld.SKIP)
        public Optional<String> optionalReport() {
            reports.incrementAndGet();
            return Optional.of("ran");
        }

        @Locked(name = "report", onHeld = OnHeld.SKIP)
        public String stringReport() {
            reports.incrementAndGet();
            return "ran";
        }

        @Locked(name = "queue", onHeld = OnHeld.WAIT, maxWait = "200ms")
        public long waitBriefly() {
            return LockedContext.currentLease().token();
        }

        @Locked(name = "queue", onHeld = OnHeld.WAIT, maxWait = "PT10S")
        public long waitLong() {
            return LockedContext.currentLease().token();
        }

        @Locked(name = "failing", onHeld = OnHeld.FAIL)
        public void failing() {
            throw new IllegalStateException("the method's own");
        }

        @Locked(name = "failing", onHeld = OnHeld.SKIP)
        public void throwsHeld() {
            throw new LockAlreadyHeldException("elsewhere", null, false, "thrown by the method");
        }

        @Locked(name = "nested", onHeld = OnHeld.SKIP)
        public void nested() {
            // Through the proxy, the same lock again on this thread.
            self.getObject().nested();
        }

        ObjectProvider<Service> self;

        // Tests read state through methods: a field read on the proxy would see the proxy's own, unset, fields.
        public AtomicInteger reports() {
            return reports;
        }

        public List<Boolean> validInside() {
            return validInside;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class ServiceConfig {
        @Bean
        Service service(ObjectProvider<Service> self) {
            Service service = new Service();
            service.self = self;
            return service;
        }

        @Bean
        LockNames lockNames() {
            return new LockNames();
        }
    }

    static class LockNames {
        public String tenant() {
            return "acme";
        }
    }

    static class Ticker {
        final CountDownLatch twoRuns = new CountDownLatch(2);
        final List<Long> tokens = new CopyOnWriteArrayList<>();
        final List<String> holders = new CopyOnWriteArrayList<>();
        LockManager manager;

        public CountDownLatch twoRuns() {
            return twoRuns;
        }

        public List<Long> tokens() {
            return tokens;
        }

        public List<String> holders() {
            return holders;
        }

        @Scheduled(fixedDelay = 20)
        @Locked(name = "tick", onHeld = OnHeld.SKIP)
        public void tick() {
            tokens.add(LockedContext.currentLease().token());
            holders.add(manager.inspect("tick").orElseThrow().ownerId());
            twoRuns.countDown();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableScheduling
    static class ScheduledConfig {
        @Bean
        Ticker ticker(ObjectProvider<LockManager> manager) {
            Ticker ticker = new Ticker();
            ticker.manager = manager.getObject();
            return ticker;
        }
    }

    static class BadSpel {
        @Locked(name = "invoice-#{#invoice.}", onHeld = OnHeld.FAIL)
        public void run(Invoice invoice) {}
    }

    @Configuration(proxyBeanMethods = false)
    static class BadSpelConfig {
        @Bean
        BadSpel badSpel() {
            return new BadSpel();
        }
    }

    static class UnknownParameter {
        @Locked(name = "x-#{#nope}", onHeld = OnHeld.FAIL)
        public void run(Invoice invoice) {}
    }

    @Configuration(proxyBeanMethods = false)
    static class UnknownParameterConfig {
        @Bean
        UnknownParameter unknownParameter() {
            return new UnknownParameter();
        }
    }

    static class NoUnit {
        @Locked(name = "x", onHeld = OnHeld.WAIT, maxWait = "10")
        public void run() {}
    }

    @Configuration(proxyBeanMethods = false)
    static class NoUnitConfig {
        @Bean
        NoUnit noUnit() {
            return new NoUnit();
        }
    }

    static class SkipPrimitive {
        @Locked(name = "x", onHeld = OnHeld.SKIP)
        public int run() {
            return 1;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class SkipPrimitiveConfig {
        @Bean
        SkipPrimitive skipPrimitive() {
            return new SkipPrimitive();
        }
    }
}
