package dev.leasehold.lock.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.spi.LeaseStore;
import dev.leasehold.lock.tck.internal.SkewableClock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.platform.engine.FilterResult;
import org.junit.platform.engine.TestDescriptor;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.PostDiscoveryFilter;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The TCK tests itself: for each deliberately broken store, the rules named for its flaw run against it and at least
 * one must fail. (The reference store passes every rule: {@link InMemoryTckTest}.)
 */
class TckSelfTest {

    /** The TCK over a flawed store; run only through the launcher below, never by Surefire directly. */
    static class FlawedTck extends LeaseholdTck {
        static volatile FlawedStore.Flaw flaw;

        @Override
        protected TckFixture createFixture() {
            SkewableClock clock = new SkewableClock();
            FlawedStore store = new FlawedStore(flaw, clock);
            return new LeaseStoreFixture() {
                @Override
                protected LeaseStore newStore(LockSettings settings) {
                    return store;
                }

                @Override
                public AutoCloseable failInsideStore(LockManager manager) {
                    store.connectionFails(true);
                    return () -> store.connectionFails(false);
                }

                @Override
                public void skewStoreClock(Duration offset) {
                    clock.skew(offset);
                }

                @Override
                public void restartDatabase(Duration downtime) {
                    simulateRestart(downtime, store::restart);
                }
            };
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(FlawedStore.Flaw.class)
    void everyFlawedStoreFailsANamedRequiredRule(FlawedStore.Flaw flaw) {
        Map<String, TestExecutionResult> results = run(flaw);
        assertThat(results).as("rules run against %s", flaw).isNotEmpty();
        assertThat(results.keySet())
                .as("every rule named for %s ran", flaw)
                .allSatisfy(rule -> assertThat(Arrays.stream(flaw.rules).anyMatch(rule::startsWith))
                        .isTrue());
        assertThat(results.entrySet())
                .as("rules %s against a store with flaw %s", Arrays.toString(flaw.rules), flaw)
                .anySatisfy(e -> assertThat(e.getValue().getStatus())
                        .as(e.getKey())
                        .isEqualTo(TestExecutionResult.Status.FAILED));
    }

    /** The control: the same rules pass against the same store without its flaw, so they fail because of it. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(FlawedStore.Flaw.class)
    void theSameRulesPassWithoutTheFlaw(FlawedStore.Flaw flaw) {
        Map<String, TestExecutionResult> results = run(flaw, null);
        assertThat(results).isNotEmpty();
        assertThat(results.entrySet())
                .allSatisfy(e -> assertThat(e.getValue().getStatus())
                        .as("%s without a flaw: %s", e.getKey(), e.getValue().getThrowable())
                        .isEqualTo(TestExecutionResult.Status.SUCCESSFUL));
    }

    private static Map<String, TestExecutionResult> run(FlawedStore.Flaw flaw) {
        return run(flaw, flaw);
    }

    /** Runs the rules named for {@code flaw} against a store with {@code storeFlaw} (null: none). */
    private static Map<String, TestExecutionResult> run(FlawedStore.Flaw flaw, FlawedStore.Flaw storeFlaw) {
        FlawedTck.flaw = storeFlaw;
        PostDiscoveryFilter onlyNamedRules = descriptor -> {
            if (!descriptor.isTest()) {
                return FilterResult.included("container");
            }
            String method = methodName(descriptor);
            boolean named = Arrays.stream(flaw.rules).anyMatch(method::startsWith);
            return named ? FilterResult.included("named rule") : FilterResult.excluded("not named for " + flaw);
        };
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(DiscoverySelectors.selectClass(FlawedTck.class))
                .filters(onlyNamedRules)
                .build();
        Map<String, TestExecutionResult> results = new ConcurrentHashMap<>();
        Launcher launcher = LauncherFactory.create();
        launcher.execute(request, new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                id.getSource()
                        .filter(MethodSource.class::isInstance)
                        .map(s -> ((MethodSource) s).getMethodName())
                        .ifPresent(m -> results.put(m, result));
            }
        });
        return results;
    }

    private static String methodName(TestDescriptor descriptor) {
        return descriptor
                .getSource()
                .filter(MethodSource.class::isInstance)
                .map(s -> ((MethodSource) s).getMethodName())
                .orElse("");
    }
}
