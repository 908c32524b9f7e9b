package dev.leasehold.lock.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockBackendException;
import dev.leasehold.lock.LockExpiredException;
import dev.leasehold.lock.LockOptions;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.RetryOptions;
import dev.leasehold.lock.core.LeaseLockManager;
import dev.leasehold.lock.core.memory.InMemoryLeaseStore;
import dev.leasehold.lock.spi.ForwardingLeaseStore;
import dev.leasehold.lock.spi.LeaseKey;
import dev.leasehold.lock.testing.TestTimes;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * When the heartbeat renews: every lease at its own interval, a short lease not held up by a long one acquired after
 * it, and on daemon threads that never keep the JVM alive; a failed renewal names the lock it was for.
 */
class HeartbeatSchedulingTest {

    /** The reference store, counting renewAll calls. */
    static final class CountingStore extends ForwardingLeaseStore {
        final AtomicInteger renewals = new AtomicInteger();

        CountingStore() {
            super(new InMemoryLeaseStore());
        }

        @Override
        public Map<String, Instant> renewAll(String owner, Collection<LeaseKey> leases, Duration leaseTime)
                throws SQLException {
            renewals.incrementAndGet();
            return super.renewAll(owner, leases, leaseTime);
        }
    }

    private final TestTimes env = TestTimes.fromEnvironment();

    private static LockSettings settings(String owner, Duration leaseTime, Duration heartbeat) {
        return LockSettings.builder()
                .ownerId(owner)
                .leaseTime(leaseTime)
                .heartbeatInterval(heartbeat)
                .retry(RetryOptions.none())
                .build();
    }

    @Test
    void aLeaseIsRenewedEveryHeartbeatIntervalNotOncePerLeaseTime() throws Exception {
        Duration heartbeat = env.heartbeat().dividedBy(2);
        CountingStore store = new CountingStore();
        try (LeaseLockManager manager =
                new LeaseLockManager(store, settings("cadence", heartbeat.multipliedBy(12), heartbeat))) {
            Lease lease = manager.lock("a").tryAcquire().orElseThrow();

            // Six renewals at one per interval take half the lease time; at one per lease time they would take three.
            await().atMost(heartbeat.multipliedBy(12)).until(() -> store.renewals.get() >= 6);
            assertThat(lease.isValid()).isTrue();
        }
    }

    @Test
    void aShortLeaseIsNotHeldUpByALongerOneAcquiredAfterIt() throws Exception {
        CountingStore store = new CountingStore();
        Duration longLease = Duration.ofMinutes(10);
        try (LeaseLockManager manager =
                new LeaseLockManager(store, settings("mixed", longLease, longLease.dividedBy(3)))) {
            Lease shortLease = manager.lock(
                            "short",
                            LockOptions.builder().leaseTime(env.leaseTime()).build())
                    .tryAcquire()
                    .orElseThrow();
            for (int i = 0; i < 5; i++) {
                manager.lock("long-" + i).tryAcquire().orElseThrow();
            }

            await().during(env.leaseTime().multipliedBy(3))
                    .atMost(env.leaseTime().multipliedBy(4))
                    .until(shortLease::isValid);
            assertThat(store.renewals.get()).isGreaterThanOrEqualTo(3);
        }
    }

    @Test
    void theHeartbeatRunsOnDaemonThreads() throws Exception {
        CountingStore store = new CountingStore();
        Duration heartbeat = env.heartbeat().dividedBy(2);
        try (LeaseLockManager manager =
                new LeaseLockManager(store, settings("daemons", heartbeat.multipliedBy(12), heartbeat))) {
            manager.lock("a").tryAcquire().orElseThrow();
            await().atMost(env.patience()).until(() -> store.renewals.get() >= 1);

            assertThat(Thread.getAllStackTraces().keySet())
                    .filteredOn(t -> t.getName().equals("leasehold-heartbeat-daemons")
                            || t.getName().equals("leasehold-renewer-daemons"))
                    .hasSize(2)
                    .allMatch(Thread::isDaemon);
        }
    }

    /**
     * Between renewals the heartbeat's timer sleeps until the next one is due: it never wakes without cause, so a
     * manager that holds leases costs no CPU while nothing is due. A timer scheduled "now" again and again would spin,
     * and be seen running.
     */
    @Test
    void betweenRenewalsTheHeartbeatTimerSleeps() throws Exception {
        CountingStore store = new CountingStore();
        try (LeaseLockManager manager =
                new LeaseLockManager(store, settings("idle", Duration.ofMinutes(3), Duration.ofMinutes(1)))) {
            manager.lock("a").tryAcquire().orElseThrow();
            // A fixed term of 100 ms: the timer runs once when it ends, then only when "a" is due, in a minute.
            Lease shortTerm = manager.lock(
                            "b",
                            LockOptions.builder()
                                    .fixedTerm()
                                    .leaseTime(Duration.ofMillis(100))
                                    .build())
                    .tryAcquire()
                    .orElseThrow();
            CountDownLatch shortTermLost = new CountDownLatch(1);
            shortTerm.onLost(e -> shortTermLost.countDown());
            assertThat(shortTermLost.await(env.patience().toMillis(), TimeUnit.MILLISECONDS))
                    .isTrue();
            Thread timer = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("leasehold-heartbeat-idle"))
                    .findFirst()
                    .orElseThrow();

            await().during(Duration.ofSeconds(1))
                    .atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(5))
                    .until(() -> timer.getState() == Thread.State.TIMED_WAITING);
            assertThat(store.renewals.get()).as("nothing was due").isZero();
        }
    }

    @Test
    void closingTheManagerEndsItsHeartbeatThreads() throws Exception {
        CountingStore store = new CountingStore();
        LeaseLockManager manager = new LeaseLockManager(store, settings("stopped", env.leaseTime(), env.heartbeat()));
        manager.lock("a").tryAcquire().orElseThrow();
        await().atMost(env.patience()).until(() -> store.renewals.get() >= 1);

        manager.close();

        await().atMost(env.patience())
                .until(() -> Thread.getAllStackTraces().keySet().stream()
                        .noneMatch(t -> t.getName().endsWith("-stopped") && t.isAlive()));
    }

    @Test
    void aCloseInterruptedWhileARenewalIsInFlightKeepsItsInterrupt() throws Exception {
        CountDownLatch renewing = new CountDownLatch(1);
        CountDownLatch answer = new CountDownLatch(1);
        // A renewal that answers only when the test lets it, whatever interrupts its thread.
        ForwardingLeaseStore store = new ForwardingLeaseStore(new InMemoryLeaseStore()) {
            @Override
            public Map<String, Instant> renewAll(String owner, Collection<LeaseKey> leases, Duration leaseTime)
                    throws SQLException {
                renewing.countDown();
                boolean interrupted = false;
                while (true) {
                    try {
                        answer.await();
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
                return super.renewAll(owner, leases, leaseTime);
            }
        };
        LeaseLockManager manager =
                new LeaseLockManager(store, settings("interrupted-close", env.leaseTime(), env.heartbeat()));
        try {
            manager.lock("a").tryAcquire().orElseThrow();
            assertThat(renewing.await(env.patience().toMillis(), TimeUnit.MILLISECONDS))
                    .isTrue();

            Thread.currentThread().interrupt();
            manager.close();

            assertThat(Thread.interrupted())
                    .as("the closing thread's interrupt is kept")
                    .isTrue();
        } finally {
            answer.countDown();
        }
    }

    @Test
    void closeReleasesOnlyAfterTheRenewalInFlightHasAnswered() throws Exception {
        CountDownLatch renewing = new CountDownLatch(1);
        CountDownLatch answer = new CountDownLatch(1);
        List<String> calls = new CopyOnWriteArrayList<>();
        ForwardingLeaseStore store = new ForwardingLeaseStore(new InMemoryLeaseStore()) {
            @Override
            public Map<String, Instant> renewAll(String owner, Collection<LeaseKey> leases, Duration leaseTime)
                    throws SQLException {
                renewing.countDown();
                // close() interrupts the renewer: this renewal answers only when the test lets it, as a statement in
                // flight would.
                boolean interrupted = false;
                while (true) {
                    try {
                        answer.await();
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
                calls.add("renewed");
                return super.renewAll(owner, leases, leaseTime);
            }

            @Override
            public boolean release(String name, String owner, long token) throws SQLException {
                calls.add("released");
                return super.release(name, owner, token);
            }
        };
        LeaseLockManager manager = new LeaseLockManager(store, settings("in-flight", env.leaseTime(), env.heartbeat()));
        manager.lock("a").tryAcquire().orElseThrow();
        assertThat(renewing.await(env.patience().toMillis(), TimeUnit.MILLISECONDS))
                .isTrue();

        CompletableFuture<Void> closing = CompletableFuture.runAsync(manager::close);
        try {
            await().during(Duration.ofMillis(200)).atMost(env.patience()).until(calls::isEmpty);
        } finally {
            answer.countDown();
        }

        assertThat(closing).succeedsWithin(env.patience());
        assertThat(calls).containsExactly("renewed", "released");
    }

    /**
     * A renewal the store carried out but whose answer arrived only after the lease's local deadline: the lease is lost
     * here, so the database's renewed lease is given back at once instead of keeping the lock from everyone until it
     * expires there.
     */
    @Test
    void aRenewalAnsweredAfterTheLeaseWasLostHereIsGivenBackToTheStore() throws Exception {
        CountDownLatch renewedAndWaiting = new CountDownLatch(1);
        CountDownLatch answer = new CountDownLatch(1);
        AtomicBoolean holdTheAnswer = new AtomicBoolean();
        List<Long> released = new CopyOnWriteArrayList<>();
        ForwardingLeaseStore store = new ForwardingLeaseStore(new InMemoryLeaseStore()) {
            @Override
            public Map<String, Instant> renewAll(String owner, Collection<LeaseKey> leases, Duration leaseTime)
                    throws SQLException {
                Map<String, Instant> renewed = super.renewAll(owner, leases, leaseTime);
                if (holdTheAnswer.get()) {
                    renewedAndWaiting.countDown();
                    try {
                        answer.await(1, TimeUnit.MINUTES);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return renewed;
            }

            @Override
            public boolean release(String name, String owner, long token) throws SQLException {
                released.add(token);
                return super.release(name, owner, token);
            }
        };
        try (LeaseLockManager manager =
                new LeaseLockManager(store, settings("late-answer", env.leaseTime(), env.heartbeat()))) {
            Lease lease = manager.lock("a").tryAcquire().orElseThrow();
            CountDownLatch lost = new CountDownLatch(1);
            lease.onLost(e -> lost.countDown());
            holdTheAnswer.set(true);
            assertThat(renewedAndWaiting.await(env.patience().toMillis(), TimeUnit.MILLISECONDS))
                    .isTrue();
            // Lost here (its local deadline passed while the answer was held), before the answer arrives.
            assertThat(lost.await(env.patience().toMillis(), TimeUnit.MILLISECONDS))
                    .isTrue();
            holdTheAnswer.set(false);
            answer.countDown();

            await().atMost(env.patience()).until(() -> released.contains(lease.token()));
            assertThat(store.inspect("a")).as("the renewed lease, given back").isEmpty();
        }
    }

    @Test
    void aFailedRenewalOfOneLeaseNamesItsLock() throws Exception {
        ForwardingLeaseStore store = new ForwardingLeaseStore(new InMemoryLeaseStore()) {
            @Override
            public Map<String, Instant> renewAll(String owner, Collection<LeaseKey> leases, Duration leaseTime)
                    throws SQLException {
                throw new SQLException("syntax error", "42601");
            }
        };
        CompletableFuture<LockExpiredException> lost = new CompletableFuture<>();
        try (LeaseLockManager manager =
                new LeaseLockManager(store, settings("named", env.leaseTime(), env.heartbeat()))) {
            manager.lock("solo").tryAcquire().orElseThrow().onLost(lost::complete);

            assertThat(lost.get(env.patience().toMillis(), TimeUnit.MILLISECONDS)
                            .getCause())
                    .isInstanceOf(LockBackendException.class)
                    .hasMessageContaining("renewal of lock 'solo'");
        }
    }

    @Test
    void anAbandonedManagerKeepsNoLeaseAlive() throws Exception {
        LeaseLockManager manager =
                new LeaseLockManager(new InMemoryLeaseStore(), settings("abandoned", env.leaseTime(), env.heartbeat()));
        manager.lock("a").tryAcquire().orElseThrow();
        assertThat(manager.heldLeaseCount()).isEqualTo(1);

        EngineAccess.abandon(manager);

        assertThat(manager.heldLeaseCount()).isZero();
    }
}
