package dev.leasehold.lock.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockAlreadyHeldException;
import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.RetryOptions;
import dev.leasehold.lock.spi.LeaseGrant;
import dev.leasehold.lock.spi.LeaseStore;
import dev.leasehold.lock.spi.SqlFailures;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Rules 2.x of SPEC.md: mutual exclusion. */
public interface MutualExclusionRules extends TckSuite {

    /**
     * R2.1: a held lock is not granted to another manager. When it fails: the store's acquire does not check whether
     * the current lease is unexpired, or compares expiry with the wrong clock.
     */
    @Test
    default void required_r2_1_aHeldLockIsNotGrantedToAnotherManager() {
        LockManager holder = tck().manager();
        LockManager other = tck().manager();
        String name = tck().name("exclusive");
        Lease lease = holder.lock(name).tryAcquire().orElseThrow();
        assertThat(other.lock(name).tryAcquire()).as("second grant while held").isEmpty();
        assertThat(tck().manager().lock(name).tryAcquire())
                .as("third grant while held")
                .isEmpty();
        assertThat(lease.isValid()).isTrue();
        lease.release();
    }

    /**
     * R2.2: under contention no two holders overlap. When it fails: look at the overlap count; two grants of one name
     * at once mean the acquire is not atomic (a read-then-write without a row lock or conditional update).
     */
    @Test
    default void required_r2_2_contendingThreadsNeverOverlap() throws InterruptedException {
        String name = tck().name("counter");
        Contention run = Contention.run(tck(), name, 2, 4, 15);
        assertThat(run.failures.size()).as(run.failureSummary()).isZero();
        assertThat(run.maxHolders).as("holders at once").isEqualTo(1);
        assertThat(run.finalCount).as("unsynchronised counter").isEqualTo(run.sections);
    }

    /**
     * R2.3: locks are not reentrant. When it fails: the manager grants a lock it holds a second time, waits for itself
     * instead of failing at once, or fails another thread that should simply find the lock held.
     */
    @Test
    default void required_r2_3_reacquiringAHeldLockFailsAtOnce() throws Exception {
        LockManager manager =
                tck().manager(s -> s.retry(RetryOptions.waitUpTo(tck().env().patience(), Duration.ofMillis(20))));
        String name = tck().name("reentrant");
        Lease lease = manager.lock(name).acquire();
        long started = System.nanoTime();
        assertThatThrownBy(() -> manager.lock(name).tryAcquire())
                .isInstanceOfSatisfying(
                        LockAlreadyHeldException.class,
                        e -> assertThat(e.heldByThisManager()).isTrue())
                .hasMessageContaining("this manager");
        assertThatThrownBy(() -> manager.lock(name).acquire())
                .isInstanceOfSatisfying(
                        LockAlreadyHeldException.class,
                        e -> assertThat(e.heldByThisManager()).isTrue());
        assertThat(Duration.ofNanos(System.nanoTime() - started))
                .as("time to fail")
                .isLessThan(tck().env().slack());
        assertThat(lease.isValid()).isTrue();
        assertThat(manager.inspect(name)).map(LockInfo::token).contains(lease.token());
        assertThat(CompletableFuture.supplyAsync(() -> manager.lock(name).tryAcquire())
                        .get(tck().env().patience().toMillis(), TimeUnit.MILLISECONDS))
                .as("tryAcquire by another thread of the holding manager")
                .isEmpty();
        lease.release();
    }

    /**
     * R2.4: managers sharing an owner id exclude each other. When it fails: the store treats "same owner id" as "may
     * acquire again" (a reentrant {@code OR owner_id = ?} in the acquire statement).
     */
    @Test
    default void required_r2_4_managersSharingAnOwnerIdExcludeEachOther() {
        String owner = tck().name("shared-owner");
        LockManager first = tck().manager(s -> s.ownerId(owner));
        LockManager second = tck().manager(s -> s.ownerId(owner));
        String name = tck().name("same-owner");
        Lease lease = first.lock(name).tryAcquire().orElseThrow();
        assertThat(second.lock(name).tryAcquire())
                .as("grant to another manager with the same owner id")
                .isEmpty();
        lease.release();
        Lease next = second.lock(name).tryAcquire().orElseThrow();
        assertThat(next.token()).isGreaterThan(lease.token());
        next.release();
    }

    /** R2.5: different names are independent. When it fails: the store locks more than the named row. */
    @Test
    default void required_r2_5_differentNamesAreIndependent() {
        LockManager a = tck().manager();
        LockManager b = tck().manager();
        String x = tck().name("x");
        String y = tck().name("y");
        Lease ax = a.lock(x).tryAcquire().orElseThrow();
        Lease by = b.lock(y).tryAcquire().orElseThrow(() -> new AssertionError(y + " blocked by " + x));
        assertThat(a.lock(y).tryAcquire()).isEmpty();
        assertThat(b.lock(x).tryAcquire()).isEmpty();
        ax.release();
        by.release();
    }

    /**
     * R2.6: racing takeovers of the same expired lease have exactly one winner. When it fails: the takeover path of
     * the store's acquire reads the expired row, decides, then writes it without a guard that the row is still the
     * expired one (no conditional {@code UPDATE … WHERE expires_at <= now}, no row lock), so several contenders that
     * read it at once are all granted the lock.
     */
    @Test
    default void required_r2_6_exactlyOneContenderTakesOverAnExpiredLease() throws Exception {
        int contenders = 4;
        int rounds = 10;
        Duration brief = tck().env().leaseTime().dividedBy(4);
        String name = tck().name("expired-race");
        List<LockManager> managers = new ArrayList<>();
        for (int i = 0; i < contenders; i++) {
            managers.add(tck().manager());
        }
        // The first expired lease: a grant that nobody renews or releases, as a crashed holder leaves it.
        int holder = 0;
        LeaseGrant last = tck().storeOf(managers.get(holder))
                .tryAcquire(name, managers.get(holder).ownerId(), brief)
                .orElseThrow();
        ExecutorService pool = Executors.newFixedThreadPool(contenders);
        try {
            for (int round = 1; round <= rounds; round++) {
                StoreTimes.awaitExpired(tck(), tck().storeOf(managers.get(0)), name, brief);
                Map<Integer, LeaseGrant> winners = raceUntilOneWins(pool, managers, name, brief, round);
                holder = latest(winners);
                LeaseGrant won = winners.get(holder);
                assertThat(won.token())
                        .as("round %d: token of the takeover", round)
                        .isGreaterThan(last.token());
                last = won;
            }
        } finally {
            pool.shutdownNow();
        }
        LockManager owner = managers.get(holder);
        tck().storeOf(owner).release(name, owner.ownerId(), last.token());
    }

    /**
     * R2.7: tries of free names are granted while other names are taken and renewed at the same time. When it fails:
     * the store reads a lock wait caused by another name's statement (on MariaDB, an insert meeting the gap that
     * another insert or a renewal locks) as "held", for a name nobody holds.
     */
    @Test
    default void required_r2_7_freeNamesAreGrantedWhileOtherNamesAreTakenAndRenewed() throws Exception {
        int threads = 8;
        int namesPerThread = 200;
        // Renewals every fifth of the usual lease time, so that they run while the names are taken; a lease as long
        // as the patience, so that a backend slow to renew 800 leases per manager does not lose them meanwhile.
        Duration leaseTime = tck().env().patience();
        Duration heartbeat = tck().env().leaseTime().dividedBy(5);
        List<LockManager> managers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            managers.add(tck().manager(s -> s.leaseTime(leaseTime).heartbeatInterval(heartbeat)));
        }
        String prefix = tck().name("fresh");
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Lease> taken = Collections.synchronizedList(new ArrayList<>());
        try {
            List<Future<List<String>>> refused = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                LockManager manager = managers.get(t % managers.size());
                int thread = t;
                refused.add(pool.submit(() -> {
                    List<String> mine = new ArrayList<>();
                    for (int i = 0; i < namesPerThread; i++) {
                        String name = prefix + "-" + thread + "-" + i;
                        manager.lock(name).tryAcquire().ifPresentOrElse(taken::add, () -> mine.add(name));
                    }
                    return mine;
                }));
            }
            List<String> all = new ArrayList<>();
            for (Future<List<String>> f : refused) {
                all.addAll(f.get(tck().env().patience().multipliedBy(6).toMillis(), TimeUnit.MILLISECONDS));
            }
            assertThat(all).as("free names reported held").isEmpty();
        } finally {
            pool.shutdownNow();
            for (Lease lease : taken) {
                lease.release();
            }
        }
    }

    /**
     * Races every manager's store at once, behind a barrier, to take the lock with {@code lease}, until one wins: no
     * two winners of a race may hold overlapping leases by the store's clock (on a slow machine a race can outlast
     * the brief lease, and a contender then rightly takes over the winner's expired grant). A race with none (the
     * store still held the expired lease for a moment) is run again.
     */
    private Map<Integer, LeaseGrant> raceUntilOneWins(
            ExecutorService pool, List<LockManager> managers, String name, Duration lease, int round) throws Exception {
        long patience = tck().env().patience().toNanos();
        long deadline = System.nanoTime() + patience;
        while (true) {
            CyclicBarrier barrier = new CyclicBarrier(managers.size());
            List<Future<Optional<LeaseGrant>>> tries = new ArrayList<>();
            for (LockManager m : managers) {
                LeaseStore store = tck().storeOf(m);
                tries.add(pool.submit(() -> {
                    barrier.await(patience, TimeUnit.NANOSECONDS);
                    try {
                        return store.tryAcquire(name, m.ownerId(), lease);
                    } catch (SQLException | RuntimeException e) {
                        if (SqlFailures.isLockNotAvailable(e)) {
                            // Another contender's statement holds the row past the store's bounded lock wait: the
                            // contract counts that as "held", whether the SQLException comes bare or as a cause.
                            return Optional.empty();
                        }
                        throw e;
                    }
                }));
            }
            long started = System.nanoTime();
            Map<Integer, LeaseGrant> winners = new TreeMap<>();
            for (int i = 0; i < tries.size(); i++) {
                int contender = i;
                tries.get(i).get(patience, TimeUnit.NANOSECONDS).ifPresent(g -> winners.put(contender, g));
            }
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            List<LeaseGrant> byGrant = new ArrayList<>(winners.values());
            byGrant.sort(Comparator.comparing(LeaseGrant::acquiredAt));
            for (int i = 1; i < byGrant.size(); i++) {
                LeaseGrant earlier = byGrant.get(i - 1);
                LeaseGrant later = byGrant.get(i);
                assertThat(later.acquiredAt())
                        .as(
                                "round %d: contenders granted the same expired lease in one race (the race took %s,"
                                        + " the lease %s): %s",
                                round, took, lease, winners)
                        .isAfterOrEqualTo(earlier.expiresAt());
            }
            if (!winners.isEmpty()) {
                return winners;
            }
            assertThat(System.nanoTime() - deadline)
                    .as(
                            "round %d: nobody took over the expired lease within %s",
                            round, tck().env().patience())
                    .isNegative();
            TimeUnit.MILLISECONDS.sleep(10); // the poll interval of a lock that is still held
        }
    }

    /** The contender whose grant came last (the largest token): the one that holds the lock after a race. */
    private static int latest(Map<Integer, LeaseGrant> winners) {
        return winners.entrySet().stream()
                .max(Comparator.comparingLong(e -> e.getValue().token()))
                .orElseThrow()
                .getKey();
    }
}
