package dev.leasehold.lock.cli;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.RetryOptions;
import dev.leasehold.lock.core.internal.EngineAccess;
import dev.leasehold.lock.jdbc.JdbcLockManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Several workers, each with a lock manager of its own as separate processes would have, take turns on one lock; one
 * of them crashes while holding it. Prints the timeline and checks what the library promises.
 */
@Command(
        name = "demo",
        description = "Watch workers contend for one lock, one of them crash, and check the guarantees.")
final class DemoCommand implements Callable<Integer> {

    @Mixin
    StoreOptions store;

    @Option(names = "--workers", defaultValue = "4", description = "How many workers (default 4).")
    int workers;

    @Option(
            names = "--holds",
            defaultValue = "12",
            description = "How many times the lock is held in all (default 12).")
    int holds;

    @Option(names = "--lease", defaultValue = "1500ms", description = "Lease time (default 1500ms).")
    Duration lease;

    /** One thing that happened, at a local monotonic time. */
    private record Event(long nanos, String worker, String what) {}

    /**
     * One holding of the lock: from its grant to its release by local monotonic time, and its grant and (for a crashed
     * holder) its last confirmed expiry by the database clock.
     */
    private record Hold(
            String worker, long token, long from, long to, Instant dbAcquired, Instant dbExpires, boolean crashed) {}

    private final AtomicBoolean crashed = new AtomicBoolean();
    private final AtomicBoolean recovered = new AtomicBoolean();

    @Override
    public Integer call() throws Exception {
        if (workers < 2 || workers > 16 || holds < workers || holds > 200) {
            throw new IllegalArgumentException("use 2 to 16 --workers and between --workers and 200 --holds");
        }
        String lock = "demo-" + Long.toHexString(System.currentTimeMillis());
        List<Event> events = Collections.synchronizedList(new ArrayList<>());
        List<Hold> holdList = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger taken = new AtomicInteger();
        long start = System.nanoTime();
        int crasher = workers >= 3 ? 3 : 2;
        System.out.printf(
                Locale.ROOT,
                "Leasehold demo: %d workers take turns on lock '%s' (lease %s) in %s.%n"
                        + "Worker %d will crash while holding it: no release, no heartbeat.%n%n",
                workers,
                lock,
                Durations.format(lease),
                store.describe(),
                crasher);
        List<LockManager> managers = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        try (JdbcLockManager admin = store.admin()) {
            for (int w = 1; w <= workers; w++) {
                LockManager manager = store.manager(
                        lease,
                        RetryOptions.builder()
                                .maxRetries(-1)
                                .delay(Duration.ofMillis(20))
                                .jitter(0.5)
                                .maxWait(lease.multipliedBy(8))
                                .build(),
                        "worker-" + w + "@" + ProcessHandle.current().pid());
                managers.add(manager);
                String worker = "worker-" + w;
                boolean crashes = w == crasher;
                Thread t = new Thread(
                        () -> work(admin, manager, worker, crashes, lock, events, holdList, taken, start), worker);
                threads.add(t);
            }
            threads.forEach(Thread::start);
            for (Thread t : threads) {
                t.join();
            }
            events.sort(Comparator.comparingLong(Event::nanos));
            for (Event e : events) {
                System.out.printf(Locale.ROOT, "  +%6.3fs  %-9s %s%n", (e.nanos() - start) / 1e9, e.worker(), e.what());
            }
            return verdict(new ArrayList<>(holdList));
        } finally {
            for (LockManager m : managers) {
                m.close();
            }
            store.close();
        }
    }

    private void work(
            JdbcLockManager admin,
            LockManager manager,
            String worker,
            boolean crashes,
            String lock,
            List<Event> events,
            List<Hold> holds,
            AtomicInteger taken,
            long start) {
        if (crashes) {
            // Let the others take a few turns first, so that the crash comes in the middle.
            while (taken.get() < Math.min(3, this.holds / 2)) {
                sleep(Duration.ofMillis(5));
            }
        }
        while (crashes || taken.get() < this.holds || (crashed.get() && !recovered.get())) {
            Lease lease;
            try {
                lease = manager.lock(lock).acquire();
            } catch (RuntimeException e) {
                events.add(new Event(System.nanoTime(), worker, "gave up: " + e.getMessage()));
                return;
            }
            long from = System.nanoTime();
            Instant dbAcquired = admin.inspect(lock).map(i -> i.acquiredAt()).orElse(null);
            taken.incrementAndGet();
            if (crashed.get()) {
                recovered.set(true);
            }
            events.add(new Event(from, worker, "acquired  token " + lease.token()));
            sleep(Duration.ofMillis(60 + ThreadLocalRandom.current().nextInt(90)));
            if (crashes) {
                EngineAccess.abandon(manager);
                long crashedAt = System.nanoTime();
                events.add(new Event(crashedAt, worker, "CRASHED   holding token " + lease.token()));
                holds.add(new Hold(worker, lease.token(), from, crashedAt, dbAcquired, lease.expiresAt(), true));
                crashed.set(true);
                return;
            }
            long to = System.nanoTime();
            lease.release();
            holds.add(new Hold(worker, lease.token(), from, to, dbAcquired, null, false));
            events.add(new Event(to, worker, "released"));
            sleep(Duration.ofMillis(10 + ThreadLocalRandom.current().nextInt(40)));
        }
    }

    private int verdict(List<Hold> holds) {
        holds.sort(Comparator.comparingLong(Hold::from));
        boolean increasing = true;
        boolean disjoint = true;
        Hold crashed = null;
        Hold takeover = null;
        for (int i = 1; i < holds.size(); i++) {
            Hold prev = holds.get(i - 1);
            Hold next = holds.get(i);
            increasing &= next.token() > prev.token();
            if (prev.crashed()) {
                // A crashed holder's lease lasts until it expires by the database clock.
                crashed = prev;
                takeover = next;
                disjoint &= next.dbAcquired() != null && !next.dbAcquired().isBefore(prev.dbExpires());
            } else {
                disjoint &= next.from() >= prev.to();
            }
        }
        System.out.println();
        System.out.println("Verdict:");
        check(
                increasing,
                "fencing tokens strictly increase in holding order ("
                        + (holds.isEmpty()
                                ? "none"
                                : holds.get(0).token() + " .. "
                                        + holds.get(holds.size() - 1).token())
                        + ")");
        check(disjoint, "no two workers held the lock at once (" + holds.size() + " holds)");
        boolean tookOver = takeover != null && takeover.token() > crashed.token();
        check(
                tookOver,
                !tookOver
                        ? "the crashed worker's lock was taken over"
                        : String.format(
                                Locale.ROOT,
                                "the crashed worker's lock was taken over %.2fs after the crash, after its lease expired"
                                        + " by the database clock, by %s with a larger token (%d > %d)",
                                (takeover.from() - crashed.to()) / 1e9,
                                takeover.worker(),
                                takeover.token(),
                                crashed.token()));
        boolean all = increasing && disjoint && tookOver;
        System.out.println(all ? "All checks passed." : "SOME CHECKS FAILED.");
        return all ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
    }

    private static void check(boolean ok, String what) {
        System.out.println("  [" + (ok ? "ok" : "FAILED") + "] " + what);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
