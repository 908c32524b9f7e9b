package dev.leasehold.lock.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Handoff latency: the time from the moment a holder starts its release to the moment a waiting acquirer's acquire
 * returns holding the lock. There are {@code waiters + 1} simulated processes, each with its own pool and client; the
 * holder keeps the lock for a hold time (a fixed part, long enough for the previous holder to be waiting again, plus a
 * random part), so that at every release exactly {@code waiters} processes are waiting. A process that released waits until someone else holds
 * the lock before it asks again, so a handoff is never a holder taking its own lock back.
 */
final class HandoffScenario {

    /**
     * Handoff latencies in milliseconds of one variant in one round, and the round trips of all participants per
     * acquisition in that round (NaN when it failed): what one handoff costs the database, the woken waiters that do
     * not get the lock included.
     */
    record Row(
            DbKind db,
            int waiters,
            String variant,
            int round,
            double[] latenciesMillis,
            double roundTripsPerHandoff,
            String error) {}

    private static final Duration MAX_WAIT = Duration.ofSeconds(30);

    /** Handoffs at the start of each round that are not recorded: connections and caches warming up. */
    private static final int DISCARDED = 2;

    private HandoffScenario() {}

    static List<Row> run(Database db, List<Variant> variants, int waiters, BenchOptions options)
            throws InterruptedException {
        List<Variant> waiting = variants.stream().filter(Variant::canWait).toList();
        List<Row> rows = new ArrayList<>();
        int perRound = Math.max(1, options.integer("handoffs") / options.rounds());
        Duration hold = Duration.ofMillis(options.integer("hold-ms"));
        int jitter = options.integer("hold-jitter-ms");
        HandoffTraces traces = new HandoffTraces(options);
        for (int round = 0; round < options.rounds(); round++) {
            List<Variant> order = new ArrayList<>(waiting);
            Collections.rotate(order, -round);
            for (Variant v : order) {
                Row row = measure(db, v, waiters, perRound, hold, jitter, round, traces);
                rows.add(row);
                double[] sorted = row.latenciesMillis().clone();
                java.util.Arrays.sort(sorted);
                Log.line(
                        "  %s %d waiter(s) round %d %-26s %s",
                        db.kind().key(),
                        waiters,
                        round + 1,
                        v.id(),
                        row.error() == null
                                ? String.format(
                                        Locale.ROOT,
                                        "%d handoffs, median %.2f ms, max %.2f ms",
                                        sorted.length,
                                        Stats.percentile(sorted, 50),
                                        Stats.percentile(sorted, 100))
                                : "FAILED " + row.error());
            }
        }
        return rows;
    }

    /** Round trips of every participant so far, counted below their pools. */
    private static long roundTrips(List<Proc> procs) {
        return procs.stream().mapToLong(p -> p.counts().roundTrips()).sum();
    }

    private static Row measure(
            Database db,
            Variant v,
            int waiters,
            int handoffs,
            Duration hold,
            int jitterMillis,
            int round,
            HandoffTraces traces)
            throws InterruptedException {
        String name = "handoff";
        int participants = waiters + 1;
        List<Proc> procs = new ArrayList<>();
        List<LockClient> clients = new ArrayList<>();
        Timeline timeline = traces.enabled() ? new Timeline() : null;
        List<HandoffTraces.Slow> slow = new ArrayList<>(); // guarded by monitor
        ServerWaits waits = null;
        try {
            for (int i = 0; i < participants; i++) {
                Proc proc = db.newProc("bench-" + v.id() + "-" + i);
                procs.add(proc);
                clients.add(v.factory().open(proc));
                if (timeline != null) {
                    proc.record(timeline, "p" + i);
                }
            }
            if (timeline != null && db.kind() == DbKind.POSTGRESQL && traces.sampleMillis() > 0) {
                waits = new ServerWaits(db, timeline, traces.sampleMillis());
            }
            Object monitor = new Object();
            int[] holder = {-1}; // guarded by monitor
            boolean[] stop = {false}; // guarded by monitor
            long[] releaseStarted = {0}; // guarded by monitor
            List<Double> latencies = new ArrayList<>(); // guarded by monitor
            int[] seen = {0}; // guarded by monitor
            int[] acquisitions = {0}; // guarded by monitor
            long roundTripsBefore = roundTrips(procs);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Thread> threads = new ArrayList<>();
            for (int p = 0; p < participants; p++) {
                int me = p;
                Thread t = new Thread(
                        () -> {
                            try {
                                while (true) {
                                    synchronized (monitor) {
                                        if (stop[0]) {
                                            return;
                                        }
                                    }
                                    long asked = System.nanoTime();
                                    LockClient.Held held = clients.get(me).acquire(name, MAX_WAIT);
                                    long got = System.nanoTime();
                                    if (timeline != null) {
                                        timeline.add("p" + me, held == null ? "acquire: none" : "acquire", asked, got);
                                    }
                                    if (held == null) {
                                        throw new IllegalStateException(
                                                "no handoff within " + MAX_WAIT.toSeconds() + " s");
                                    }
                                    boolean last;
                                    synchronized (monitor) {
                                        acquisitions[0]++;
                                        if (releaseStarted[0] != 0 && ++seen[0] > DISCARDED && !stop[0]) {
                                            latencies.add((got - releaseStarted[0]) / 1e6);
                                            if (traces.isSlow(got - releaseStarted[0])) {
                                                slow.add(new HandoffTraces.Slow(releaseStarted[0], got, me));
                                            }
                                        }
                                        holder[0] = me;
                                        monitor.notifyAll();
                                        if (latencies.size() >= handoffs) {
                                            stop[0] = true;
                                        }
                                        last = stop[0];
                                    }
                                    if (!last) {
                                        // A random part, so that a waiter that polls meets the release at a random
                                        // point of its poll interval, as it would in an application.
                                        Thread.sleep(hold.toMillis()
                                                + ThreadLocalRandom.current().nextInt(jitterMillis + 1));
                                    }
                                    long releasing = System.nanoTime();
                                    synchronized (monitor) {
                                        releaseStarted[0] = releasing;
                                    }
                                    held.release();
                                    if (timeline != null) {
                                        timeline.add("p" + me, "release", releasing, System.nanoTime());
                                    }
                                    synchronized (monitor) {
                                        // Ask again only once another process holds the lock.
                                        while (holder[0] == me && !stop[0]) {
                                            monitor.wait(100);
                                        }
                                    }
                                }
                            } catch (Throwable e) {
                                failure.compareAndSet(null, e);
                                synchronized (monitor) {
                                    stop[0] = true;
                                    monitor.notifyAll();
                                }
                            }
                        },
                        "bench-handoff-" + p);
                t.setDaemon(true);
                threads.add(t);
            }
            threads.forEach(Thread::start);
            for (Thread t : threads) {
                // Waiters still queued when the last handoff is recorded get the lock in turn, take it and leave.
                t.join(MAX_WAIT.toMillis() * 2 + handoffs * (hold.toMillis() + jitterMillis + 1_000L));
                if (t.isAlive()) {
                    failure.compareAndSet(null, new IllegalStateException(t.getName() + " did not finish"));
                    t.interrupt();
                }
            }
            double[] result;
            double perHandoff;
            synchronized (monitor) {
                result = latencies.stream().mapToDouble(Double::doubleValue).toArray();
                perHandoff = acquisitions[0] == 0
                        ? Double.NaN
                        : (roundTrips(procs) - roundTripsBefore) / (double) acquisitions[0];
            }
            if (timeline != null) {
                if (waits != null) {
                    waits.close();
                }
                synchronized (monitor) {
                    traces.write(db.kind(), v.id(), waiters, round, timeline, slow);
                }
            }
            Throwable e = failure.get();
            return new Row(
                    db.kind(), waiters, v.id(), round, result, perHandoff, e == null ? null : Workers.describe(e));
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            return new Row(db.kind(), waiters, v.id(), round, new double[0], Double.NaN, Workers.describe(e));
        } finally {
            if (waits != null) {
                waits.close();
            }
            for (LockClient client : clients) {
                try {
                    client.close();
                } catch (Exception e) {
                    Log.line("  %s: close failed: %s", v.id(), Workers.describe(e));
                }
            }
            procs.forEach(Proc::close);
        }
    }
}
