package dev.leasehold.lock.shedlock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockExpiredException;
import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.Locks;
import dev.leasehold.lock.RetryOptions;
import dev.leasehold.lock.testing.DatabaseKind;
import dev.leasehold.lock.testing.FailingDataSource;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestDatabases;
import dev.leasehold.lock.testing.TestPool;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import net.javacrumbs.shedlock.core.DefaultLockingTaskExecutor;
import net.javacrumbs.shedlock.core.LockAssert;
import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.LockingTaskExecutor;
import net.javacrumbs.shedlock.core.SimpleLock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ShedLock's documented provider contract, checked on one backend and database: every test makes managers of its own
 * over a table prefix of its own, and times that ShedLock leaves to the store are read from the database clock
 * ({@link Lease#acquiredAt()}, {@link LockInfo#expiresAt()}).
 */
abstract class ProviderContract {

    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private final List<AutoCloseable> resources = new ArrayList<>();
    private TestDatabase db;
    private String prefix;
    private String name;

    abstract DatabaseKind kind();

    /** The backend's name for {@code Locks.builder().backend(...)}. */
    abstract String backend();

    @BeforeEach
    void setUp() {
        db = TestDatabases.get(kind());
        prefix = db.uniquePrefix("shedlock_" + backend());
        // Advisory lock keys are database-wide: a name of this test's own keeps other tests' locks apart.
        name = prefix + "job";
    }

    @AfterEach
    void tearDown() throws Exception {
        LeaseholdLocksTestAccess.clear();
        Collections.reverse(resources);
        for (AutoCloseable resource : resources) {
            resource.close();
        }
        db.dropTablesWithPrefix(prefix);
    }

    private LockManager manager() {
        TestPool pool = db.newPool("shedlock", 4);
        resources.add(pool);
        return manager(pool);
    }

    private LockManager manager(DataSource dataSource) {
        LockManager manager = Locks.builder()
                .dataSource(dataSource)
                .backend(backend())
                .tablePrefix(prefix)
                .leaseTime(Duration.ofSeconds(5))
                .retry(RetryOptions.none())
                .build();
        resources.add(manager);
        return manager;
    }

    private LockConfiguration config(Duration lockAtMostFor, Duration lockAtLeastFor) {
        return new LockConfiguration(Instant.now(), name, lockAtMostFor, lockAtLeastFor);
    }

    private static Lease current() {
        return LeaseholdLocks.currentLease().orElseThrow();
    }

    /** Polls {@code provider} on this thread (so that the lease becomes this thread's current one) until it locks. */
    private static SimpleLock lockWhenFree(LeaseholdLockProvider provider, LockConfiguration config) {
        return await().pollInSameThread()
                .pollInterval(Duration.ofMillis(20))
                .atMost(PATIENCE)
                .until(() -> provider.lock(config), Optional::isPresent)
                .orElseThrow();
    }

    /** When it fails: the provider does not exclude a second manager, or unlock does not free the lock at once. */
    @Test
    void lockExcludesOthersUntilUnlocked() {
        LeaseholdLockProvider a = new LeaseholdLockProvider(manager());
        LeaseholdLockProvider b = new LeaseholdLockProvider(manager());

        SimpleLock lock = a.lock(config(Duration.ofSeconds(5), Duration.ZERO)).orElseThrow();
        Lease first = current();
        assertThat(b.lock(config(Duration.ofSeconds(5), Duration.ZERO))).isEmpty();

        lock.unlock();
        assertThat(LeaseholdLocks.currentLease()).isEmpty();
        assertThat(b.lock(config(Duration.ofSeconds(5), Duration.ZERO))).isPresent();
        assertThat(current().token()).isGreaterThan(first.token());
        assertThatThrownBy(lock::unlock).isInstanceOf(IllegalStateException.class);
    }

    /** When it fails: a lock held by this manager threw instead of answering "not acquired" as ShedLock expects. */
    @Test
    void lockHeldByThisThreadIsNotAcquired() {
        LeaseholdLockProvider a = new LeaseholdLockProvider(manager());
        SimpleLock outer = a.lock(config(Duration.ofSeconds(5), Duration.ZERO)).orElseThrow();
        long outerToken = LeaseholdLocks.currentToken().orElseThrow();

        assertThat(a.lock(config(Duration.ofSeconds(5), Duration.ZERO))).isEmpty();

        SimpleLock inner = a.lock(
                        new LockConfiguration(Instant.now(), name + "_inner", Duration.ofSeconds(5), Duration.ZERO))
                .orElseThrow();
        assertThat(current().name()).isEqualTo(name + "_inner");
        inner.unlock();
        assertThat(LeaseholdLocks.currentToken()).hasValue(outerToken);
        outer.unlock();
        assertThat(LeaseholdLocks.currentToken()).isEmpty();
    }

    /** When it fails: a lock unlocked on another thread still shows as current on the thread that locked. */
    @Test
    void unlockOnAnotherThreadEndsTheCurrentLease() throws Exception {
        LeaseholdLockProvider a = new LeaseholdLockProvider(manager());
        SimpleLock lock = a.lock(config(Duration.ofSeconds(5), Duration.ZERO)).orElseThrow();
        assertThat(LeaseholdLocks.currentLease()).isPresent();

        CompletableFuture.runAsync(() -> {
                    assertThat(LeaseholdLocks.currentLease()).isEmpty();
                    lock.unlock();
                })
                .get(PATIENCE.toSeconds(), TimeUnit.SECONDS);

        assertThat(LeaseholdLocks.currentLease()).isEmpty();
        assertThat(a.manager().inspect(name)).isEmpty();
    }

    /**
     * When it fails: lockAtMostFor is not a hard limit (the live, idle holder kept the lock), it ended before its time
     * by the database clock, or the old holder's late unlock freed its successor's lock.
     */
    @Test
    void lockAtMostForEndsTheLockWhileTheHolderLives() {
        Duration atMost = Duration.ofMillis(700);
        LeaseholdLockProvider a = new LeaseholdLockProvider(manager());
        LeaseholdLockProvider b = new LeaseholdLockProvider(manager());
        SimpleLock lock = a.lock(config(atMost, Duration.ZERO)).orElseThrow();
        Lease first = current();

        SimpleLock taken = lockWhenFree(b, config(Duration.ofSeconds(5), Duration.ZERO));
        Lease second = current();

        assertThat(second.acquiredAt()).isAfterOrEqualTo(first.acquiredAt().plus(atMost));
        assertThat(second.token()).isGreaterThan(first.token());
        assertThat(first.isValid()).isFalse();
        lock.unlock(); // the lost lease is logged, not thrown, as ShedLock's own providers do
        // The stale unlock, guarded by owner and token, left the successor's lock alone.
        assertThat(b.manager().inspect(name).orElseThrow().token()).isEqualTo(second.token());
        taken.unlock();
    }

    /**
     * ShedLock gives a job no way to learn that its lock ended; here the job's lease tells its listeners when
     * lockAtMostFor ends while the job still runs. When it fails: no lost-lock signal came, or the lease still claimed
     * to be valid once another manager held the lock.
     */
    @Test
    void theJobIsToldWhenLockAtMostForEndsWhileItRuns() throws Exception {
        Duration atMost = Duration.ofMillis(800);
        LeaseholdLockProvider a = new LeaseholdLockProvider(manager());
        LeaseholdLockProvider b = new LeaseholdLockProvider(manager());
        // A first grant of a fresh JVM can take longer than the short term below on a busy machine.
        a.lock(new LockConfiguration(Instant.now(), name + "_warm", Duration.ofSeconds(5), Duration.ZERO))
                .orElseThrow()
                .unlock();
        SimpleLock lock = a.lock(config(atMost, Duration.ZERO)).orElseThrow();
        Lease first = current();
        CompletableFuture<LockExpiredException> lost = new CompletableFuture<>();
        first.onLost(lost::complete);

        assertThat(lost.get(PATIENCE.toSeconds(), TimeUnit.SECONDS).token()).isEqualTo(first.token());
        SimpleLock taken = lockWhenFree(b, config(Duration.ofSeconds(5), Duration.ZERO));
        assertThat(first.isValid()).isFalse();
        assertThat(current().acquiredAt()).isAfterOrEqualTo(first.acquiredAt().plus(atMost));
        taken.unlock();
        lock.unlock(); // lost: logged, not thrown
    }

    /** When it fails: lockAtLeastFor did not keep the lock held after unlock until that long after the grant. */
    @Test
    void lockAtLeastForKeepsTheLockHeldAfterUnlock() {
        Duration atLeast = Duration.ofMillis(1500);
        LeaseholdLockProvider a = new LeaseholdLockProvider(manager());
        LeaseholdLockProvider b = new LeaseholdLockProvider(manager());
        SimpleLock lock = a.lock(config(Duration.ofSeconds(5), atLeast)).orElseThrow();
        Lease first = current();
        lock.unlock();

        assertThat(b.lock(config(Duration.ofSeconds(5), Duration.ZERO))).isEmpty();
        assertThat(a.lock(config(Duration.ofSeconds(5), Duration.ZERO))).isEmpty();

        lockWhenFree(b, config(Duration.ofSeconds(5), Duration.ZERO)).unlock();
        LockInfo after = b.manager().inspect(name).orElse(null);
        assertThat(after).isNull();
        // The grant that followed the hold came no earlier than the hold's end, by the database clock.
        Lease second = b.manager().lock(name).tryAcquire().orElseThrow();
        assertThat(second.acquiredAt()).isAfterOrEqualTo(first.acquiredAt().plus(atLeast));
        second.release();
    }

    /**
     * A node whose scheduler fires again inside its own lockAtLeastFor, and whose first try then fails transiently (a
     * dropped connection, a serialization failure), must still find the lock held. When it fails: the manager took its
     * own minimum-hold row, which still names it as owner, for a grant whose reply was lost, and ran the job again
     * inside lockAtLeastFor with the old token.
     */
    @Test
    void aTransientFailureNeverRunsTheJobAgainInsideItsOwnLockAtLeastFor() {
        TestPool pool = db.newPool("shedlock", 4);
        resources.add(pool);
        FailingDataSource failing = new FailingDataSource(pool);
        LeaseholdLockProvider a = new LeaseholdLockProvider(manager(failing));
        LeaseholdLockProvider b = new LeaseholdLockProvider(manager());
        SimpleLock lock =
                a.lock(config(Duration.ofSeconds(30), Duration.ofSeconds(20))).orElseThrow();
        lock.unlock();

        failing.failNextStatement();
        assertThat(a.lock(config(Duration.ofSeconds(5), Duration.ZERO))).isEmpty();
        assertThat(failing.nextStatementFailurePending())
                .as("the injected failure happened")
                .isFalse();
        assertThat(LeaseholdLocks.currentLease()).isEmpty();
        assertThat(b.lock(config(Duration.ofSeconds(5), Duration.ZERO))).isEmpty();
    }

    /**
     * When it fails: extend of a held lock did not move its expiry, did not make the old handle invalid, or its new
     * lockAtLeastFor did not count from the time of the extension.
     */
    @Test
    void extendOfAHeldLockMovesItsEnd() {
        LeaseholdLockProvider a = new LeaseholdLockProvider(manager());
        LeaseholdLockProvider b = new LeaseholdLockProvider(manager());
        SimpleLock lock = a.lock(config(Duration.ofMillis(700), Duration.ZERO)).orElseThrow();
        Lease lease = current();

        SimpleLock extended =
                lock.extend(Duration.ofSeconds(5), Duration.ofMillis(1200)).orElseThrow();
        Instant extendedAt = lease.expiresAt().minus(Duration.ofSeconds(5));
        assertThatThrownBy(lock::unlock).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> lock.extend(Duration.ofSeconds(5), Duration.ZERO))
                .isInstanceOf(IllegalStateException.class);

        LockInfo held = b.manager().inspect(name).orElseThrow();
        assertThat(held.token()).isEqualTo(lease.token());
        assertThat(held.expiresAt()).isAfterOrEqualTo(lease.acquiredAt().plus(Duration.ofSeconds(5)));
        assertThat(LeaseholdLocks.currentLease()).containsSame(lease);

        extended.unlock();
        assertThat(LeaseholdLocks.currentLease()).isEmpty();
        SimpleLock next = lockWhenFree(b, config(Duration.ofSeconds(5), Duration.ZERO));
        assertThat(current().acquiredAt()).isAfterOrEqualTo(extendedAt.plus(Duration.ofMillis(1200)));
        next.unlock();
    }

    /** When it fails: extend of a lock that another manager took over after it expired did not answer empty. */
    @Test
    void extendOfAnExpiredLockIsEmpty() {
        LeaseholdLockProvider a = new LeaseholdLockProvider(manager());
        LeaseholdLockProvider b = new LeaseholdLockProvider(manager());
        SimpleLock lock = a.lock(config(Duration.ofMillis(300), Duration.ZERO)).orElseThrow();
        SimpleLock taken = lockWhenFree(b, config(Duration.ofSeconds(5), Duration.ZERO));
        long takenToken = current().token();

        assertThat(lock.extend(Duration.ofSeconds(5), Duration.ZERO)).isEmpty();
        assertThat(b.manager().inspect(name).orElseThrow().token()).isEqualTo(takenToken);
        taken.unlock();
    }

    /** When it fails: keep-alive did not renew the lease past lockAtMostFor while the job ran. */
    @Test
    void keepAliveRenewsPastLockAtMostFor() {
        Duration atMost = Duration.ofMillis(600);
        LeaseholdLockProvider a = LeaseholdLockProvider.withKeepAlive(manager());
        LeaseholdLockProvider b = new LeaseholdLockProvider(manager());
        SimpleLock lock = a.lock(config(atMost, Duration.ZERO)).orElseThrow();
        Lease lease = current();

        // A renewal confirmed later than lockAtMostFor after the grant, by the database clock.
        await().atMost(PATIENCE)
                .until(() -> lease.expiresAt().isAfter(lease.acquiredAt().plus(atMost.multipliedBy(2))));
        assertThat(b.lock(config(Duration.ofSeconds(5), Duration.ZERO))).isEmpty();
        lock.unlock();
        assertThat(b.lock(config(Duration.ofSeconds(5), Duration.ZERO))).isPresent();
    }

    /** When it fails: bad input reached the database, or the error does not name the argument. */
    @Test
    void badInputIsRefusedWithTheArgumentNamed() {
        LockManager manager = manager();
        assertThatThrownBy(() -> new LeaseholdLockProvider(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("manager");
        assertThatThrownBy(() ->
                        LeaseholdLockProvider.withKeepAlive(manager).lock(config(Duration.ofDays(2), Duration.ZERO)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lockAtMostFor");
        assertThatThrownBy(() -> new LeaseholdLockProvider(manager).lock(config(Duration.ofDays(400), Duration.ZERO)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lockAtMostFor");
        assertThat(manager.inspect(name)).isEmpty();

        // A weekly job: a fixed-term lease longer than the one day of a renewed one.
        SimpleLock weekly = new LeaseholdLockProvider(manager)
                .lock(config(Duration.ofDays(8), Duration.ZERO))
                .orElseThrow();
        assertThatThrownBy(() -> weekly.extend(Duration.ofSeconds(1), Duration.ofSeconds(2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lockAtLeastFor");
        weekly.unlock();
    }

    /**
     * When it fails: two jobs ran at once under one lock across threads and managers, or a later job saw a token not
     * larger than an earlier one.
     */
    @Test
    void severalThreadsAndManagersNeverOverlapAndTokensIncrease() throws Exception {
        int managers = 3;
        int threadsPerManager = 2;
        int wanted = 40;
        List<LeaseholdLockProvider> providers = new ArrayList<>();
        for (int i = 0; i < managers; i++) {
            providers.add(new LeaseholdLockProvider(manager()));
        }
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        List<Long> tokens = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(managers * threadsPerManager);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < managers * threadsPerManager; t++) {
                LeaseholdLockProvider provider = providers.get(t % managers);
                futures.add(pool.submit(() -> {
                    start.await();
                    long deadline = System.nanoTime() + PATIENCE.toNanos();
                    while (tokens.size() < wanted && System.nanoTime() < deadline) {
                        Optional<SimpleLock> lock = provider.lock(config(Duration.ofSeconds(5), Duration.ZERO));
                        if (lock.isEmpty()) {
                            continue;
                        }
                        if (inside.incrementAndGet() != 1) {
                            overlaps.incrementAndGet();
                        }
                        tokens.add(LeaseholdLocks.currentToken().orElseThrow());
                        inside.decrementAndGet();
                        lock.get().unlock();
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : futures) {
                future.get(PATIENCE.toSeconds() + 5, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(overlaps).hasValue(0);
        assertThat(tokens).hasSizeGreaterThanOrEqualTo(wanted);
        for (int i = 1; i < tokens.size(); i++) {
            assertThat(tokens.get(i)).as("token %d of %s", i, tokens).isGreaterThan(tokens.get(i - 1));
        }
    }

    /**
     * Scheduled jobs that write in transactions of their own, on a plain connection of another pool, half of them
     * through ShedLock's executor and half through the provider directly, on several threads of several managers. When
     * it fails: two jobs ran at once (their enter and exit interleave, or two read the same counter and one update was
     * lost), or a job committed with a token not larger than the one committed before it.
     */
    @Test
    void transactionalJobsLoseNoUpdateAndCommitIncreasingTokens() throws Exception {
        int managers = 3;
        int threadsPerManager = 2;
        int wanted = 60;
        TestPool jobPool = db.newPool("shedlock-job", managers * threadsPerManager);
        resources.add(jobPool);
        FencedCounter counter = FencedCounter.create(jobPool, prefix);
        List<LeaseholdLockProvider> providers = new ArrayList<>();
        for (int i = 0; i < managers; i++) {
            providers.add(new LeaseholdLockProvider(manager()));
        }
        AtomicInteger granted = new AtomicInteger();
        AtomicInteger rejected = new AtomicInteger();
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        LockingTaskExecutor.TaskWithResult<Boolean> job = () -> {
            long token = LeaseholdLocks.currentToken().orElseThrow();
            events.add("enter " + token);
            granted.incrementAndGet();
            boolean accepted = counter.run(token);
            if (!accepted) {
                rejected.incrementAndGet();
            }
            events.add("exit " + token);
            return accepted;
        };
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(managers * threadsPerManager);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < managers * threadsPerManager; t++) {
                LeaseholdLockProvider provider = providers.get(t % managers);
                boolean viaExecutor = t % 2 == 0;
                LockingTaskExecutor executor = new DefaultLockingTaskExecutor(provider);
                futures.add(pool.submit(() -> {
                    start.await();
                    long deadline = System.nanoTime() + PATIENCE.toNanos();
                    while (granted.get() < wanted && System.nanoTime() < deadline) {
                        LockConfiguration config = config(Duration.ofSeconds(5), Duration.ZERO);
                        try {
                            if (viaExecutor) {
                                executor.executeWithLock(job, config);
                            } else {
                                Optional<SimpleLock> lock = provider.lock(config);
                                if (lock.isPresent()) {
                                    try {
                                        job.call();
                                    } finally {
                                        lock.get().unlock();
                                    }
                                }
                            }
                        } catch (Throwable e) {
                            // The executor's signature throws Throwable; the future carries it to the test.
                            throw new ExecutionException(e);
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : futures) {
                future.get(PATIENCE.toSeconds() + 5, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(granted.get()).isGreaterThanOrEqualTo(wanted);
        List<String> seen = List.copyOf(events);
        for (int i = 0; i < seen.size(); i += 2) {
            assertThat(seen.get(i)).as("event %d of %s", i, seen).startsWith("enter ");
            assertThat(seen.get(i + 1))
                    .as("event %d of %s", i + 1, seen)
                    .isEqualTo("exit " + seen.get(i).substring(6));
        }
        assertThat(rejected)
                .as("writes refused for a token not above the last committed")
                .hasValue(0);
        assertThat(counter.runs())
                .as("the counter after %d runs", granted.get())
                .isEqualTo(granted.get());
        List<FencedCounter.Run> history = counter.history();
        assertThat(history).hasSize(granted.get());
        for (int i = 0; i < history.size(); i++) {
            assertThat(history.get(i).runNo())
                    .as("committed run %d of %s", i, history)
                    .isEqualTo(i + 1);
            if (i > 0) {
                assertThat(history.get(i).token())
                        .as("token of committed run %d of %s", i, history)
                        .isGreaterThan(history.get(i - 1).token());
            }
        }
    }

    /**
     * ShedLock's own executor, without Spring, on this provider: the job runs under the lock, sees its token, and a
     * second node's executor skips it meanwhile. When it fails: the provider breaks ShedLock's executor contract.
     */
    @Test
    void defaultLockingTaskExecutorRunsTheJobUnderTheLock() throws Throwable {
        LockingTaskExecutor node1 = new DefaultLockingTaskExecutor(new LeaseholdLockProvider(manager()));
        LockingTaskExecutor node2 = new DefaultLockingTaskExecutor(new LeaseholdLockProvider(manager()));
        AtomicLong token = new AtomicLong();

        LockingTaskExecutor.TaskResult<String> result = node1.executeWithLock(
                () -> {
                    LockAssert.assertLocked();
                    token.set(LeaseholdLocks.currentToken().orElseThrow());
                    // Another thread, as on another node: ShedLock runs a nested job of the same name in place.
                    LockingTaskExecutor.TaskResult<String> other = CompletableFuture.supplyAsync(() -> {
                                try {
                                    return node2.executeWithLock(
                                            () -> "ran on node 2", config(Duration.ofSeconds(5), Duration.ZERO));
                                } catch (Throwable e) {
                                    throw new CompletionException(e);
                                }
                            })
                            .get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
                    assertThat(other.wasExecuted()).isFalse();
                    return "ran on node 1";
                },
                config(Duration.ofSeconds(5), Duration.ZERO));

        assertThat(result.wasExecuted()).isTrue();
        assertThat(result.getResult()).isEqualTo("ran on node 1");
        assertThat(token.get()).isPositive();
        assertThat(LeaseholdLocks.currentToken()).isEmpty();
        LockingTaskExecutor.TaskResult<Long> next = node2.executeWithLock(
                () -> LeaseholdLocks.currentToken().orElseThrow(), config(Duration.ofSeconds(5), Duration.ZERO));
        assertThat(next.getResult()).isGreaterThan(token.get());
    }
}
