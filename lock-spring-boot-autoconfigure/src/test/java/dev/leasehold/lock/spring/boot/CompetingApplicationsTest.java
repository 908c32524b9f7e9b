package dev.leasehold.lock.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.spring.Locked;
import dev.leasehold.lock.spring.Locked.OnHeld;
import dev.leasehold.lock.spring.LockedContext;
import dev.leasehold.lock.testing.DatabaseKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
 * Two Spring Boot applications, each with its own pool and {@link LockManager} found through the auto-configuration
 * imports, on one PostgreSQL database, compete for {@code @Locked} work: exactly one runs each item, and items of
 * different keys lock independently.
 */
class CompetingApplicationsTest {

    private static final int ITEMS = 20;

    /** Shared by both applications, as the outside world they work on. */
    static final Map<String, List<String>> RUNS = new ConcurrentHashMap<>();

    static final Map<String, CountDownLatch> GATES = new ConcurrentHashMap<>();

    @RegisterExtension
    static final SpringApps apps = new SpringApps(DatabaseKind.POSTGRESQL, "competing");

    static ConfigurableApplicationContext start(String name) {
        List<String> properties = new ArrayList<>(List.of(apps.properties()));
        properties.add("spring.application.name=" + name);
        // lock-advisory is on this module's test class path too, and accepts PostgreSQL as well.
        properties.add("leasehold.backend=jdbc");
        return new SpringApplicationBuilder(App.class)
                .web(WebApplicationType.NONE)
                .properties(properties.toArray(String[]::new))
                .run();
    }

    @Test
    void exactlyOneApplicationRunsEachItem() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (ConfigurableApplicationContext a = start("app-a");
                ConfigurableApplicationContext b = start("app-b")) {
            Worker workerA = a.getBean(Worker.class);
            Worker workerB = b.getBean(Worker.class);
            assertThat(a.getBean(LockManager.class).ownerId())
                    .isNotEqualTo(b.getBean(LockManager.class).ownerId());
            for (int i = 0; i < ITEMS; i++) {
                String item = "item-" + i;
                CountDownLatch gate = new CountDownLatch(1);
                GATES.put(item, gate);
                CyclicBarrier together = new CyclicBarrier(2);
                CompletableFuture<String> fromA = CompletableFuture.supplyAsync(
                        () -> {
                            await(together);
                            return workerA.process(item);
                        },
                        pool);
                CompletableFuture<String> fromB = CompletableFuture.supplyAsync(
                        () -> {
                            await(together);
                            return workerB.process(item);
                        },
                        pool);
                // The winner holds the lock until the gate opens, so the first call to return is the skipped one.
                Object first = CompletableFuture.anyOf(fromA, fromB).get(30, TimeUnit.SECONDS);
                assertThat(first)
                        .as("%s: the first call to return was skipped", item)
                        .isNull();
                gate.countDown();
                String winnerA = fromA.get(30, TimeUnit.SECONDS);
                String winnerB = fromB.get(30, TimeUnit.SECONDS);
                assertThat(winnerA == null ^ winnerB == null)
                        .as("%s: exactly one ran (a: %s, b: %s)", item, winnerA, winnerB)
                        .isTrue();
                assertThat(RUNS.get(item)).hasSize(1);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void differentKeysLockIndependently() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(1);
        try (ConfigurableApplicationContext a = start("app-a");
                ConfigurableApplicationContext b = start("app-b")) {
            Worker workerA = a.getBean(Worker.class);
            Worker workerB = b.getBean(Worker.class);
            CountDownLatch holdX = new CountDownLatch(1);
            GATES.put("key-x", holdX);
            GATES.put("key-y", new CountDownLatch(0));
            CompletableFuture<String> xOnA = CompletableFuture.supplyAsync(() -> workerA.process("key-x"), pool);
            workerA.entered("key-x").await(10, TimeUnit.SECONDS);

            assertThat(workerB.process("key-y")).as("y is free while x is held").isEqualTo("app-b");
            assertThat(workerB.process("key-x")).as("x is held by app-a").isNull();

            holdX.countDown();
            assertThat(xOnA.get(10, TimeUnit.SECONDS)).isEqualTo("app-a");
        } finally {
            pool.shutdownNow();
        }
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static class Worker {
        private final String application;
        private final Map<String, CountDownLatch> entered = new ConcurrentHashMap<>();

        Worker(String application) {
            this.application = application;
        }

        /** Runs an item once its gate opens; returns this application's name, or null when skipped. */
        @Locked(name = "#{#item}", onHeld = OnHeld.SKIP)
        public String process(String item) {
            RUNS.computeIfAbsent(item, k -> new CopyOnWriteArrayList<>())
                    .add(application + ":" + LockedContext.currentLease().token());
            entered(item).countDown();
            try {
                if (!GATES.get(item).await(30, TimeUnit.SECONDS)) {
                    throw new AssertionError(item + ": the gate never opened");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            return application;
        }

        public CountDownLatch entered(String item) {
            return entered.computeIfAbsent(item, k -> new CountDownLatch(1));
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class App {
        @Bean
        Worker worker(org.springframework.core.env.Environment environment) {
            return new Worker(environment.getProperty("spring.application.name"));
        }
    }
}
