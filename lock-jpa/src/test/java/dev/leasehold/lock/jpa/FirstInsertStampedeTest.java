package dev.leasehold.lock.jpa;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.testing.DatabaseKind;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Regression test for the thundering first insert (reliability anchors, case 24): 64 threads acquire a name nobody has
 * used, at once. Exactly one wins; every other caller gets "held", never a duplicate-key error or an aborted
 * transaction.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FirstInsertStampedeTest {

    private static final int THREADS = 64;
    private static final int MANAGERS = 4;

    private final TestEnv.PerKind envs = new TestEnv.PerKind("stampede");

    @AfterAll
    void close() {
        envs.close();
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void sixtyFourThreadsOnANewNameMakeOneWinnerAndNoException(DatabaseKind kind) throws Exception {
        TestEnv env = envs.get(kind);
        List<JpaLockManager> managers = List.of(env.manager(), env.manager(), env.manager(), env.manager());
        String name = "stampede-" + UUID.randomUUID();
        CountDownLatch ready = new CountDownLatch(THREADS);
        CountDownLatch go = new CountDownLatch(1);
        AtomicInteger winners = new AtomicInteger();
        AtomicInteger losers = new AtomicInteger();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Lease> leases = new ConcurrentLinkedQueue<>();
        Thread[] threads = new Thread[THREADS];
        for (int i = 0; i < THREADS; i++) {
            JpaLockManager manager = managers.get(i % MANAGERS);
            threads[i] = new Thread(() -> {
                ready.countDown();
                try {
                    go.await();
                    Optional<Lease> lease = manager.lock(name).tryAcquire();
                    if (lease.isPresent()) {
                        winners.incrementAndGet();
                        leases.add(lease.get());
                    } else {
                        losers.incrementAndGet();
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            });
            threads[i].start();
        }
        assertThat(ready.await(30, TimeUnit.SECONDS)).isTrue();
        go.countDown();
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(60));
        }
        assertThat(failures).as("exceptions that reached callers").isEmpty();
        assertThat(winners.get()).isEqualTo(1);
        assertThat(losers.get()).isEqualTo(THREADS - 1);
        Lease winner = leases.peek();
        assertThat(winner.token()).isEqualTo(1);
        assertThat(managers.get(0).inspect(name))
                .hasValueSatisfying(info -> assertThat(info.ownerId()).isEqualTo(winner.ownerId()));
        winner.release();
    }
}
