package dev.leasehold.lock.leader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.LockOptions;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.core.LeaseLockManager;
import dev.leasehold.lock.core.internal.EngineAccess;
import dev.leasehold.lock.core.memory.InMemoryLeaseStore;
import dev.leasehold.lock.leader.Revocation.Reason;
import dev.leasehold.lock.spi.LeaseGrant;
import dev.leasehold.lock.testing.TestTimes;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link LeaderElection} over the in-memory reference store: one leader among candidates, takeover after a crash
 * within a lease time, yield, close, lost leases, callbacks once per event, and bad input.
 */
class LeaderElectionTest {

    private static final String NAME = "leader";

    private final TestTimes env = TestTimes.fromEnvironment();
    private final InMemoryLeaseStore store = new InMemoryLeaseStore();
    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();

    /** One candidate: its manager, its election, and what its callbacks saw. */
    private static final class Candidate {
        final LeaseLockManager manager;
        LeaderElection election;
        final List<Lease> elected = Collections.synchronizedList(new ArrayList<>());
        final List<Revocation> revoked = Collections.synchronizedList(new ArrayList<>());
        final List<String> callbackThreads = Collections.synchronizedList(new ArrayList<>());

        Candidate(LeaseLockManager manager) {
            this.manager = manager;
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

    private LeaseLockManager manager(String owner) {
        LeaseLockManager manager = new LeaseLockManager(
                store,
                LockSettings.builder()
                        .leaseTime(env.leaseTime())
                        .heartbeatInterval(env.heartbeat())
                        .ownerId(owner)
                        .build());
        toClose.push(manager);
        return manager;
    }

    private Candidate candidate(String owner) {
        return candidate(owner, UnaryOperator.identity());
    }

    private Candidate candidate(String owner, UnaryOperator<LeaderElection.Builder> customize) {
        Candidate c = new Candidate(manager(owner));
        LeaderElection.Builder builder = LeaderElection.builder(c.manager, NAME)
                .onElected(lease -> {
                    c.callbackThreads.add(Thread.currentThread().getName());
                    c.elected.add(lease);
                })
                .onRevoked(revocation -> {
                    c.callbackThreads.add(Thread.currentThread().getName());
                    c.revoked.add(revocation);
                });
        c.election = customize.apply(builder).build();
        toClose.push(c.election);
        c.election.start();
        return c;
    }

    private static List<Candidate> leaders(List<Candidate> candidates) {
        return candidates.stream().filter(c -> c.election.isLeader()).toList();
    }

    private Candidate awaitOneLeader(List<Candidate> candidates) {
        await().atMost(env.patience()).until(() -> leaders(candidates).size() == 1);
        return leaders(candidates).get(0);
    }

    private Optional<String> holderInStore() {
        return store.inspect(NAME).map(LockInfo::ownerId);
    }

    @Test
    void exactlyOneOfThreeCandidatesLeadsAndKeepsLeading() {
        List<Candidate> candidates = List.of(candidate("a"), candidate("b"), candidate("c"));
        Candidate leader = awaitOneLeader(candidates);

        Duration watch = env.leaseTime().multipliedBy(3);
        await().during(watch)
                .atMost(watch.plus(env.patience()))
                .until(() -> leaders(candidates).equals(List.of(leader))
                        && holderInStore().equals(Optional.of(leader.manager.ownerId())));

        assertThat(leader.elected).as("onElected calls of the leader").hasSize(1);
        assertThat(leader.election.currentLease())
                .map(Lease::token)
                .contains(leader.elected.get(0).token());
        assertThat(leader.callbackThreads).containsExactly("leasehold-election-" + NAME);
        for (Candidate c : candidates) {
            assertThat(c.revoked)
                    .as("onRevoked calls of %s", c.manager.ownerId())
                    .isEmpty();
            if (c != leader) {
                assertThat(c.elected)
                        .as("onElected calls of %s", c.manager.ownerId())
                        .isEmpty();
                assertThat(c.election.currentLease()).isEmpty();
            }
        }
    }

    @Test
    void whenTheLeaderCrashesAnotherIsElectedWithinOneLeaseTime() {
        List<Candidate> candidates = List.of(candidate("a"), candidate("b"), candidate("c"));
        Candidate crashed = awaitOneLeader(candidates);
        long oldToken = crashed.elected.get(0).token();
        List<Candidate> others = candidates.stream().filter(c -> c != crashed).toList();

        EngineAccess.abandon(crashed.manager);

        await().atMost(env.leaseTime().plus(env.slack()))
                .until(() -> leaders(others).size() == 1);
        Candidate next = leaders(others).get(0);
        await().atMost(env.patience()).until(() -> next.elected.size() == 1);
        assertThat(next.elected.get(0).token()).isGreaterThan(oldToken);
        assertThat(holderInStore()).contains(next.manager.ownerId());
    }

    @Test
    void yieldHandsLeadershipToTheOtherCandidateAndBack() {
        List<Candidate> candidates = List.of(candidate("a"), candidate("b"));
        Candidate first = awaitOneLeader(candidates);
        Candidate second = candidates.get(0) == first ? candidates.get(1) : candidates.get(0);
        await().atMost(env.patience()).until(() -> first.elected.size() == 1);
        long firstToken = first.elected.get(0).token();

        assertThat(second.election.yieldLeadership())
                .as("yield by a candidate that is not leader")
                .isFalse();
        assertThat(first.election.yieldLeadership()).isTrue();
        assertThat(first.election.isLeader()).as("leader right after yielding").isFalse();

        await().atMost(env.slack()).until(second.election::isLeader);
        await().atMost(env.slack()).until(() -> first.revoked.size() == 1);
        Revocation yielded = first.revoked.get(0);
        assertThat(yielded.reason()).isEqualTo(Reason.YIELDED);
        assertThat(yielded.cause()).isEmpty();
        assertThat(yielded.lease().token()).isEqualTo(firstToken);
        assertThat(yielded.lease().isValid()).isFalse();
        await().atMost(env.patience()).until(() -> second.elected.size() == 1);
        assertThat(second.elected.get(0).token()).isGreaterThan(firstToken);

        // The first candidate campaigns again: the second yields back to it.
        assertThat(second.election.yieldLeadership()).isTrue();
        await().atMost(env.slack()).until(first.election::isLeader);
        await().atMost(env.patience()).until(() -> first.elected.size() == 2 && second.revoked.size() == 1);
        await().during(env.slack())
                .atMost(env.patience())
                .until(() -> first.elected.size() == 2
                        && second.elected.size() == 1
                        && first.revoked.size() == 1
                        && second.revoked.size() == 1);
        assertThat(second.reasons()).containsExactly(Reason.YIELDED);
        assertThat(first.elected.get(1).token())
                .isGreaterThan(second.elected.get(0).token());
    }

    @Test
    void closingTheLeaderFiresClosedOnceAndAnotherIsElectedWithoutWaitingForExpiry() {
        List<Candidate> candidates = List.of(candidate("a"), candidate("b"), candidate("c"));
        Candidate closed = awaitOneLeader(candidates);
        List<Candidate> others = candidates.stream().filter(c -> c != closed).toList();
        await().atMost(env.patience()).until(() -> closed.elected.size() == 1);

        closed.election.close();

        // close() waits for the election's thread, so onRevoked has run when it returns.
        assertThat(closed.reasons()).containsExactly(Reason.CLOSED);
        assertThat(closed.election.isLeader()).isFalse();
        // The lease was renewed less than a heartbeat ago: expiry would take two thirds of a lease time or more.
        await().atMost(env.leaseTime().dividedBy(2)).until(() -> leaders(others).size() == 1);
        Candidate next = leaders(others).get(0);
        assertThat(holderInStore()).contains(next.manager.ownerId());

        closed.election.close();
        assertThat(closed.revoked).as("onRevoked calls after closing twice").hasSize(1);
        assertThatThrownBy(closed.election::yieldLeadership).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(closed.election::start).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void closingAWaitingCandidateWakesItsThreadAtOnce() {
        List<Candidate> candidates = List.of(candidate("a"), candidate("b"));
        Candidate leader = awaitOneLeader(candidates);
        Candidate waiting = candidates.get(0) == leader ? candidates.get(1) : candidates.get(0);

        long start = System.nanoTime();
        waiting.election.close();
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        // It waits for the lock up to ten poll intervals (a lease time) at a time; close must not wait that out.
        assertThat(took).isLessThan(env.slack());
        assertThat(waiting.revoked).isEmpty();
        assertThat(waiting.elected).isEmpty();
        assertThat(leader.election.isLeader()).isTrue();
    }

    @Test
    void aLeaseLostBehindTheLeadersBackFiresLostOnceAndTheLeaderCampaignsAgain() {
        Candidate a = candidate("a");
        await().atMost(env.patience()).until(() -> a.elected.size() == 1);
        Lease first = a.elected.get(0);

        LeaseGrant intruder;
        synchronized (store) { // the store's monitor: no heartbeat or campaign of "a" comes between the two calls
            assertThat(store.release(NAME, a.manager.ownerId(), first.token())).isTrue();
            intruder = store.tryAcquire(NAME, "intruder", env.leaseTime()).orElseThrow();
        }

        await().atMost(env.heartbeat().plus(env.slack())).until(() -> a.revoked.size() == 1);
        Revocation lost = a.revoked.get(0);
        assertThat(lost.reason()).isEqualTo(Reason.LOST);
        assertThat(lost.lease()).isSameAs(first);
        assertThat(lost.cause()).hasValueSatisfying(e -> assertThat(e.token()).isEqualTo(first.token()));
        assertThat(a.election.isLeader()).isFalse();

        // The intruder never renews: "a", campaigning again, is elected once its lease expires.
        await().atMost(env.leaseTime().plus(env.slack())).until(a.election::isLeader);
        await().atMost(env.patience()).until(() -> a.elected.size() == 2);
        assertThat(a.elected.get(1).token()).isGreaterThan(intruder.token());
        await().during(env.slack()).atMost(env.patience()).until(() -> a.revoked.size() == 1 && a.elected.size() == 2);
    }

    @Test
    void callbacksThatThrowAreLoggedAndTheElectionGoesOn() {
        Candidate c = new Candidate(manager("a"));
        c.election = LeaderElection.builder(c.manager, NAME)
                .onElected(lease -> {
                    c.elected.add(lease);
                    // A checked exception, as a Kotlin or @SneakyThrows callback can throw through Consumer.
                    throw sneakyThrow(new IOException("onElected failed on purpose"));
                })
                .onRevoked(revocation -> {
                    c.revoked.add(revocation);
                    throw new IllegalStateException("onRevoked failed on purpose");
                })
                .build();
        toClose.push(c.election);
        c.election.start();
        await().atMost(env.patience()).until(() -> c.elected.size() == 1);
        assertThat(c.election.isLeader()).isTrue();

        assertThat(c.election.yieldLeadership()).isTrue();

        // The only candidate stands aside for two poll intervals, then leads again.
        await().atMost(env.patience()).until(() -> c.elected.size() == 2);
        assertThat(c.reasons()).containsExactly(Reason.YIELDED);
        assertThat(c.election.isLeader()).isTrue();
    }

    /** Throws {@code failure}, checked or not, without declaring it. */
    @SuppressWarnings("unchecked")
    private static <E extends Throwable> RuntimeException sneakyThrow(Throwable failure) throws E {
        throw (E) failure;
    }

    private LeaderElection built(LeaderElection.Builder builder) {
        LeaderElection election = builder.build();
        toClose.push(election);
        return election;
    }

    @Test
    void pollIntervalDefaultsToATenthOfTheLeaseTime() {
        LeaseLockManager manager = manager("a");
        assertThat(built(LeaderElection.builder(manager, NAME)).pollInterval())
                .isEqualTo(env.leaseTime().dividedBy(10));
        Duration ownLease = env.leaseTime().multipliedBy(2);
        assertThat(built(LeaderElection.builder(manager, NAME)
                                .lockOptions(LockOptions.builder()
                                        .leaseTime(ownLease)
                                        .build()))
                        .pollInterval())
                .isEqualTo(ownLease.dividedBy(10));
        assertThat(built(LeaderElection.builder(manager, NAME).pollInterval(Duration.ofMillis(7)))
                        .pollInterval())
                .isEqualTo(Duration.ofMillis(7));
    }

    @Test
    void startTwiceIsRejectedAndCloseBeforeStartIsQuiet() {
        LeaseLockManager manager = manager("a");
        LeaderElection election = built(LeaderElection.builder(manager, NAME));
        election.start();
        assertThatThrownBy(election::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("started already");

        LeaderElection neverStarted = built(LeaderElection.builder(manager, "other"));
        neverStarted.close();
        neverStarted.close();
        assertThat(neverStarted.isLeader()).isFalse();
        assertThatThrownBy(neverStarted::start).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void nullManagerIsRejected() {
        assertThatThrownBy(() -> LeaderElection.builder(null, NAME))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("manager");
    }

    @Test
    void nullOrBlankNameIsRejected() {
        LeaseLockManager manager = manager("a");
        assertThatThrownBy(() -> LeaderElection.builder(manager, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("name");
        assertThatThrownBy(() -> LeaderElection.builder(manager, " "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("name");
    }

    @Test
    void nullOnElectedIsRejected() {
        LeaderElection.Builder builder = LeaderElection.builder(manager("a"), NAME);
        assertThatThrownBy(() -> builder.onElected(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("onElected");
    }

    @Test
    void nullOnRevokedIsRejected() {
        LeaderElection.Builder builder = LeaderElection.builder(manager("a"), NAME);
        assertThatThrownBy(() -> builder.onRevoked(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("onRevoked");
    }

    @Test
    void nullLockOptionsAreRejected() {
        LeaderElection.Builder builder = LeaderElection.builder(manager("a"), NAME);
        assertThatThrownBy(() -> builder.lockOptions(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("options");
    }

    @Test
    void nullZeroOrNegativePollIntervalIsRejected() {
        LeaderElection.Builder builder = LeaderElection.builder(manager("a"), NAME);
        for (Duration bad : new Duration[] {null, Duration.ZERO, Duration.ofMillis(-1)}) {
            assertThatThrownBy(() -> builder.pollInterval(bad))
                    .as("pollInterval(%s)", bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("pollInterval");
        }
    }

    @Test
    void buildingOnAClosedManagerIsRejected() {
        LeaseLockManager manager = manager("a");
        manager.close();
        LeaderElection.Builder builder = LeaderElection.builder(manager, NAME);
        assertThatThrownBy(builder::build).isInstanceOf(IllegalStateException.class);
    }
}
