package dev.leasehold.lock.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Acquire + release of uncontended locks: each thread its own name, all threads on one simulated process (one pool,
 * one manager), so that with 8 threads the database can group their commits. Variants run in interleaved rounds:
 * round r runs every variant once, in an order rotated by r, so that a slow spell of a shared machine falls on every
 * variant alike and the per-round ratios cancel it.
 */
final class ThroughputScenario {

    /** One variant's figure in one round; {@code error} is null when it ran. */
    record Row(
            DbKind db,
            int threads,
            String variant,
            int round,
            double cyclesPerSecond,
            double roundTripsPerCycle,
            double clientMillisPerCycle,
            String error) {}

    private ThroughputScenario() {}

    static List<Row> run(Database db, List<Variant> variants, int threads, BenchOptions options)
            throws InterruptedException {
        List<Row> rows = new ArrayList<>();
        Set<String> broken = new LinkedHashSet<>();
        Duration roundWarmup = Duration.ofMillis(Math.max(200, options.seconds().toMillis() / 10));
        for (Variant v : variants) {
            if (!options.warmup().isZero()) {
                Row warm = measure(db, v, threads, Duration.ZERO, options.warmup(), -1);
                if (warm.error() != null) {
                    Log.line("  %s: warm-up failed, left out: %s", v.id(), warm.error());
                    broken.add(v.id());
                    rows.add(warm);
                }
            }
        }
        for (int round = 0; round < options.rounds(); round++) {
            List<Variant> order = new ArrayList<>(variants);
            Collections.rotate(order, -round);
            for (Variant v : order) {
                if (broken.contains(v.id())) {
                    continue;
                }
                Row row = measure(db, v, threads, roundWarmup, options.seconds(), round);
                rows.add(row);
                Log.line(
                        "  %s %d thread(s) round %d %-26s %s",
                        db.kind().key(),
                        threads,
                        round + 1,
                        v.id(),
                        row.error() == null
                                ? String.format(
                                        java.util.Locale.ROOT,
                                        "%8.0f cycles/s  %.1f round trips/cycle",
                                        row.cyclesPerSecond(),
                                        row.roundTripsPerCycle())
                                : "FAILED " + row.error());
            }
        }
        return rows;
    }

    private static Row measure(Database db, Variant v, int threads, Duration warm, Duration time, int round)
            throws InterruptedException {
        String[] names = new String[threads];
        for (int i = 0; i < threads; i++) {
            names[i] = "cycle-" + i;
        }
        try (Proc proc = db.newProc("bench-" + v.id());
                LockClient client = v.factory().open(proc)) {
            Workers.Body cycle = i -> {
                LockClient.Held held = client.tryAcquire(names[i]);
                if (held == null) {
                    throw new IllegalStateException("an uncontended try of " + names[i] + " failed");
                }
                held.release();
            };
            if (!warm.isZero()) {
                Workers.Outcome w = Workers.runFor(threads, warm, cycle);
                if (w.failure() != null) {
                    return failed(db, threads, v, round, w.failure());
                }
            }
            CountingDataSource.Counts before = proc.counts();
            Workers.Outcome outcome = Workers.runFor(threads, time, cycle);
            CountingDataSource.Counts used = proc.counts().minus(before);
            if (outcome.failure() != null) {
                return failed(db, threads, v, round, outcome.failure());
            }
            long cycles = outcome.total();
            return new Row(
                    db.kind(),
                    threads,
                    v.id(),
                    round,
                    outcome.perSecond(),
                    (double) used.roundTrips() / cycles,
                    used.nanos() / 1e6 / cycles,
                    null);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            return failed(db, threads, v, round, e);
        }
    }

    private static Row failed(DbKind db, int threads, Variant v, int round, Throwable e) {
        return new Row(db, threads, v.id(), round, Double.NaN, Double.NaN, Double.NaN, Workers.describe(e));
    }

    private static Row failed(Database db, int threads, Variant v, int round, Throwable e) {
        return failed(db.kind(), threads, v, round, e);
    }
}
