package dev.leasehold.lock.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.core.LeaseLockManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Rules 12.x of SPEC.md: purging idle names. Purge is an optional capability: a rule aborts when the manager is not a
 * {@link LeaseLockManager} or its store cannot purge.
 */
public interface PurgeRules extends TckSuite {

    /**
     * R12.1: a purged name locked again gets a token larger than every token it had. When it fails: the purge deleted
     * the row without raising the table's token floor first (in the same transaction), or a new row does not start
     * from the floor (an insert that writes token 1, or reads the floor without locking it), or a cache of "known
     * names" sends the acquire of a purged name to an {@code UPDATE} that finds no row, so it never succeeds.
     */
    @Test
    default void required_r12_1_aPurgedNameLockedAgainGetsALargerToken() {
        Duration idleFor = tck().env().scaled(Duration.ofMillis(200));
        LockManager manager = tck().manager();
        String name = tck().name("purged");
        long last = 0;
        for (int i = 0; i < 5; i++) {
            Lease lease = manager.lock(name).tryAcquire().orElseThrow();
            last = lease.token();
            lease.release();
        }
        pause(idleFor.plus(tck().env().scaled(Duration.ofMillis(100))));
        assertThat(purge(manager, idleFor)).as("names purged").isGreaterThanOrEqualTo(1);
        assertThat(manager.inspect(name)).isEmpty();

        Lease again = manager.lock(name).tryAcquire().orElseThrow();
        assertThat(again.token())
                .as("the token of the purged name locked again")
                .isGreaterThan(last);
        again.release();
        LockManager fresh = tck().manager();
        Lease byAnother = fresh.lock(name).tryAcquire().orElseThrow();
        assertThat(byAnother.token()).isGreaterThan(again.token());
    }

    /**
     * R12.2: purge never removes a held lease, nor a lock within its minimum hold, however long ago they were granted.
     * When it fails: the purge's condition is not "free since before the store's time minus the age" (it judges by
     * the grant's time or by the owner alone, or ignores the expiry of a hold), or it deletes rows it did not check
     * again in the deleting statement.
     */
    @Test
    default void required_r12_2_purgeKeepsHeldLeasesAndMinimumHolds() {
        Duration idleFor = tck().env().scaled(Duration.ofMillis(200));
        Duration hold = tck().env().scaled(Duration.ofSeconds(10));
        LockManager holder = tck().manager();
        LockManager other = tck().manager();
        String held = tck().name("purge-held");
        String inHold = tck().name("purge-hold");
        Lease heldLease = holder.lock(held).tryAcquire().orElseThrow();
        Lease holdLease = holder.lock(inHold).tryAcquire().orElseThrow();
        holdLease.release(hold);
        pause(idleFor.plus(tck().env().scaled(Duration.ofMillis(100))));

        purge(holder, idleFor);

        assertThat(other.lock(held).tryAcquire())
                .as("a held lease after the purge")
                .isEmpty();
        assertThat(other.lock(inHold).tryAcquire())
                .as("a lock in its minimum hold after the purge")
                .isEmpty();
        assertThat(heldLease.isValid()).isTrue();
        heldLease.extend(tck().env().leaseTime());
        assertThat(heldLease.isValid())
                .as("the held lease, extended after the purge")
                .isTrue();
        assertThat(holder.inspect(held).orElseThrow().token()).isEqualTo(heldLease.token());
        heldLease.release();
        Lease afterHeld = other.lock(held).tryAcquire().orElseThrow();
        assertThat(afterHeld.token()).isGreaterThan(heldLease.token());
    }

    /**
     * R12.3: purges racing grants of the same names never repeat a token: several threads of two managers take and
     * free a few names as fast as they can while another purges every name idle for a millisecond, all released
     * together by a barrier; every token of a name is granted once, and each is larger than every token the name had
     * before. When it fails: the floor is read without a lock (a grant of a new row reads the old floor while the
     * purge raises it), the purge deletes a row granted after it chose its batch (no check of the expiry and token in
     * the deleting statement), or the floor is raised after the delete instead of in the same transaction before it.
     */
    @Test
    default void required_r12_3_purgesRacingGrantsNeverRepeatAToken() throws Exception {
        Duration idleFor = Duration.ofMillis(1);
        LockManager first = tck().manager();
        LockManager second = tck().manager();
        purge(first, idleFor); // aborts here when purge is not supported
        List<String> names = new ArrayList<>();
        Map<String, Long> before = new HashMap<>();
        for (int i = 0; i < 4; i++) {
            String name = tck().name("purge-race-" + i);
            names.add(name);
            Lease lease = first.lock(name).tryAcquire().orElseThrow();
            before.put(name, lease.token());
            lease.release();
        }
        Map<String, List<Long>> granted = new ConcurrentHashMap<>();
        names.forEach(n -> granted.put(n, new CopyOnWriteArrayList<>()));
        int grantingThreads = 4;
        Duration runFor = tck().env().scaled(Duration.ofMillis(1_500));
        CyclicBarrier start = new CyclicBarrier(grantingThreads + 1);
        CountDownLatch purged = new CountDownLatch(3);
        ExecutorService pool = Executors.newFixedThreadPool(grantingThreads + 1);
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < grantingThreads; t++) {
                LockManager manager = t % 2 == 0 ? first : second;
                work.add(pool.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    long end = System.nanoTime() + runFor.toNanos();
                    long last = end + runFor.toNanos() * 4;
                    int i = 0;
                    while (more(end, last, purged)) {
                        String name = names.get(i++ % names.size());
                        Optional<Lease> lease = manager.lock(name).tryAcquire();
                        if (lease.isPresent()) {
                            granted.get(name).add(lease.get().token());
                            lease.get().release();
                        }
                    }
                    return null;
                }));
            }
            work.add(pool.submit(() -> {
                start.await(10, TimeUnit.SECONDS);
                long end = System.nanoTime() + runFor.toNanos();
                long last = end + runFor.toNanos() * 4;
                while (more(end, last, purged)) {
                    if (purge(first, idleFor) > 0) {
                        purged.countDown();
                    }
                }
                return null;
            }));
            for (Future<?> f : work) {
                f.get(runFor.toMillis() * 5 + tck().env().slack().toMillis() * 20, TimeUnit.MILLISECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(purged.getCount())
                .as("purges that purged something during the race, of 3")
                .isZero();
        for (String name : names) {
            List<Long> tokens = granted.get(name);
            assertThat(tokens).as("grants of %s during the race", name).isNotEmpty();
            assertThat(tokens).as("tokens of %s", name).doesNotHaveDuplicates();
            assertThat(tokens)
                    .as("tokens of %s against its last before the race", name)
                    .allSatisfy(t -> assertThat(t).isGreaterThan(before.get(name)));
        }
    }

    /** Whether a racer goes on: until {@code end}, and then until three purges purged something, up to {@code last}. */
    private static boolean more(long end, long last, CountDownLatch purged) {
        long now = System.nanoTime();
        return now - end < 0 || (purged.getCount() > 0 && now - last < 0);
    }

    /** Purges through the manager, or aborts the rule when the manager or its store cannot purge. */
    private static long purge(LockManager manager, Duration idleFor) {
        if (!(manager instanceof LeaseLockManager leaseManager)) {
            Assumptions.abort("purge is a LeaseLockManager capability; this manager is a "
                    + manager.getClass().getName());
            return 0;
        }
        try {
            return leaseManager.purgeIdle(idleFor);
        } catch (UnsupportedOperationException e) {
            Assumptions.abort("the store cannot purge idle names: " + e.getMessage());
            return 0;
        }
    }

    /** Lets {@code time} pass by the JVM's monotonic clock, so that locks freed before are idle that long. */
    private static void pause(Duration time) {
        await().pollDelay(time).atMost(time.plusSeconds(5)).until(() -> true);
    }
}
