package dev.leasehold.lock.leader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.core.LeaseLockManager;
import dev.leasehold.lock.core.memory.InMemoryLeaseStore;
import dev.leasehold.lock.leader.Revocation.Reason;
import dev.leasehold.lock.spi.ForwardingLeaseStore;
import dev.leasehold.lock.spi.LeaseGrant;
import dev.leasehold.lock.testing.TestTimes;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An election reacts at once, not at its next poll: with a poll interval of an hour, far beyond the test's patience,
 * a yield, a loss, a close and a failing store each take effect without waiting for a poll. Also what the election's
 * thread is, and what it says of itself.
 */
class LeaderElectionWakeUpTest {

    private static final String NAME = "awake";
    private static final Duration HOUR = Duration.ofHours(1);

    private final TestTimes env = TestTimes.fromEnvironment();
    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();

    /** The reference store; the candidate {@code failing} cannot reach it while {@code fail} is set. */
    static final class Store extends ForwardingLeaseStore {
        final AtomicBoolean fail = new AtomicBoolean();
        final AtomicInteger failedAttempts = new AtomicInteger();
        volatile Runnable onGrant = () -> {};

        final InMemoryLeaseStore memory;

        Store(InMemoryLeaseStore memory) {
            super(memory);
            this.memory = memory;
        }

        @Override
        public Optional<LeaseGrant> tryAcquire(String name, String owner, Duration leaseTime) throws SQLException {
            if (fail.get()) {
                failedAttempts.incrementAndGet();
                throw new SQLException("syntax error on purpose", "42601");
            }
            Optional<LeaseGrant> grant = super.tryAcquire(name, owner, leaseTime);
            onGrant.run();
            return grant;
        }
    }

    private final Store store = new Store(new InMemoryLeaseStore());

    private final class Candidate {
        final LeaseLockManager manager;
        final LeaderElection election;
        final List<Lease> elected = Collections.synchronizedList(new ArrayList<>());
        final List<Revocation> revoked = Collections.synchronizedList(new ArrayList<>());

        Candidate(String owner) {
            manager = new LeaseLockManager(
                    store,
                    LockSettings.builder()
                            .ownerId(owner)
                            .leaseTime(env.leaseTime())
                            .heartbeatInterval(env.heartbeat())
                            .build());
            toClose.push(manager);
            election = LeaderElection.builder(manager, NAME)
                    .pollInterval(HOUR)
                    .onElected(elected::add)
                    .onRevoked(revoked::add)
                    .build();
            toClose.push(election);
        }

        Candidate started() {
            election.start();
            return this;
        }

        List<Reason> reasons() {
            synchronized (revoked) {
                return revoked.stream().map(Revocation::reason).toList();
            }
        }
    }

    @AfterEach
    void closeEverything() throws Exception {
        while (!toClose.isEmpty()) {
            toClose.pop().close();
        }
    }

    private void closesWithinPatience(LeaderElection election) {
        assertThat(CompletableFuture.runAsync(election::close)).succeedsWithin(env.patience());
    }

    @Test
    void aYieldEndsTheLeadershipAtOnceAndACloseEndsTheStandingAside() {
        Candidate a = new Candidate("a").started();
        await().atMost(env.patience()).until(() -> a.elected.size() == 1);
        Candidate b = new Candidate("b").started();

        assertThat(a.election.yieldLeadership()).isTrue();

        await().atMost(env.patience()).until(() -> a.revoked.size() == 1);
        assertThat(a.reasons()).containsExactly(Reason.YIELDED);
        // b waits in the store, which wakes it when a releases.
        await().atMost(env.patience()).until(() -> b.elected.size() == 1);
        // a stands aside for two hours; its close ends that at once.
        closesWithinPatience(a.election);
        assertThat(a.elected).hasSize(1);
    }

    @Test
    void aLeaseLostBehindTheLeadersBackEndsTheLeadershipAtOnce() {
        Candidate a = new Candidate("a").started();
        await().atMost(env.patience()).until(() -> a.elected.size() == 1);
        Lease lease = a.elected.get(0);

        // Released behind its back: the next renewal finds it gone.
        assertThat(store.memory.release(NAME, a.manager.ownerId(), lease.token()))
                .isTrue();

        await().atMost(env.patience()).until(() -> a.revoked.size() == 1);
        assertThat(a.reasons()).containsExactly(Reason.LOST);
    }

    @Test
    void closingALeaderEndsItsLeadershipAtOnce() {
        Candidate a = new Candidate("a").started();
        await().atMost(env.patience()).until(() -> a.elected.size() == 1);

        closesWithinPatience(a.election);

        assertThat(a.reasons()).containsExactly(Reason.CLOSED);
        assertThat(store.memory.inspect(NAME))
                .as("the leader released its lease")
                .isEmpty();
    }

    @Test
    void aCandidateThatCannotReachTheStoreAsksAgainOnlyAfterAPollIntervalAndClosesAtOnce() {
        store.fail.set(true);
        Candidate a = new Candidate("a").started();
        await().atMost(env.patience()).until(() -> store.failedAttempts.get() >= 1);

        // One hour until the next attempt; more attempts now would mean no pause at all.
        await().during(Duration.ofMillis(200)).atMost(env.patience()).until(() -> store.failedAttempts.get() == 1);
        closesWithinPatience(a.election);
        assertThat(a.elected).isEmpty();
    }

    @Test
    void aYieldingLeaderStandsAsideForTwoPollIntervals() {
        Candidate a = new Candidate("a").started();
        await().atMost(env.patience()).until(() -> a.elected.size() == 1);

        assertThat(a.election.yieldLeadership()).isTrue();

        await().atMost(env.patience()).until(() -> a.revoked.size() == 1);
        // The only candidate: it would lead again at once, were it not standing aside for two hours.
        await().during(Duration.ofMillis(200))
                .atMost(env.patience())
                .until(() -> a.elected.size() == 1 && store.memory.inspect(NAME).isEmpty());
    }

    @Test
    void aLeadershipClosedBeforeItWasAnnouncedIsGivenBackUntold() throws Exception {
        Candidate a = new Candidate("a");
        // The election is closed while the store grants it the lock, from the election's own thread.
        CompletableFuture<Thread> granted = new CompletableFuture<>();
        store.onGrant = () -> {
            a.election.close();
            granted.complete(Thread.currentThread());
        };
        a.election.start();

        Thread thread = granted.get(env.patience().toMillis(), TimeUnit.MILLISECONDS);
        thread.join(env.patience().toMillis());
        assertThat(thread.isAlive()).isFalse();
        assertThat(a.elected).isEmpty();
        assertThat(a.revoked).isEmpty();
        assertThat(store.memory.inspect(NAME).map(LockInfo::ownerId))
                .as("the grant was released")
                .isEmpty();
    }

    @Test
    void theElectionRunsOnADaemonThreadAndSaysWhatItIs() {
        Candidate a = new Candidate("a");
        assertThat(a.election.name()).isEqualTo(NAME);
        assertThat(a.election.toString()).isEqualTo("LeaderElection[" + NAME + ", candidate]");

        a.started();
        await().atMost(env.patience()).until(() -> a.elected.size() == 1);

        assertThat(electionThread().isDaemon()).isTrue();
        assertThat(a.election.toString()).isEqualTo("LeaderElection[" + NAME + ", leader]");
        a.election.close();
        assertThat(a.election.toString()).isEqualTo("LeaderElection[" + NAME + ", closed]");
    }

    @Test
    void aCloseInterruptedWhileItWaitsForACallbackKeepsTheInterrupt() throws Exception {
        CountDownLatch inCallback = new CountDownLatch(1);
        CountDownLatch endCallback = new CountDownLatch(1);
        LeaseLockManager manager = new LeaseLockManager(
                store,
                LockSettings.builder()
                        .ownerId("slow")
                        .leaseTime(env.leaseTime())
                        .heartbeatInterval(env.heartbeat())
                        .build());
        toClose.push(manager);
        LeaderElection election = LeaderElection.builder(manager, NAME)
                .pollInterval(HOUR)
                .onElected(lease -> {
                    inCallback.countDown();
                    try {
                        endCallback.await(env.patience().toMillis(), TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                })
                .build();
        toClose.push(election);
        election.start();
        assertThat(inCallback.await(env.patience().toMillis(), TimeUnit.MILLISECONDS))
                .isTrue();
        AtomicReference<Boolean> interruptKept = new AtomicReference<>();
        Thread closer = new Thread(() -> {
            election.close();
            interruptKept.set(Thread.currentThread().isInterrupted());
        });
        closer.start();
        await().atMost(env.patience()).until(() -> closer.getState() == Thread.State.WAITING);

        closer.interrupt();
        closer.join(env.patience().toMillis());

        assertThat(closer.isAlive()).as("close returned on its interrupt").isFalse();
        assertThat(interruptKept).hasValue(true);
        endCallback.countDown();
    }

    private static Thread electionThread() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("leasehold-election-" + NAME))
                .findFirst()
                .orElseThrow();
    }
}
