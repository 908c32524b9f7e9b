package dev.leasehold.lock.bench;

import java.time.Duration;
import java.util.List;

/**
 * Acquire + release of uncontended locks: each thread its own name, all threads on one simulated process (one pool,
 * one manager), so that with 8 threads the database can group their commits. Variants run in {@link InterleavedRounds}.
 */
final class ThroughputScenario {

    private ThroughputScenario() {}

    static List<RateRow> run(Database db, List<Variant> variants, int threads, BenchOptions options)
            throws InterruptedException {
        return InterleavedRounds.run(
                db,
                variants,
                Variant::id,
                threads,
                options,
                "cycle",
                26,
                (v, warm, time, round) -> measure(db, v, threads, warm, time, round));
    }

    private static RateRow measure(Database db, Variant v, int threads, Duration warm, Duration time, int round)
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
                    return RateRow.failed(db, threads, v.id(), round, w.failure());
                }
            }
            CountingDataSource.Counts before = proc.counts();
            Workers.Outcome outcome = Workers.runFor(threads, time, cycle);
            CountingDataSource.Counts used = proc.counts().minus(before);
            if (outcome.failure() != null) {
                return RateRow.failed(db, threads, v.id(), round, outcome.failure());
            }
            long cycles = outcome.total();
            return new RateRow(
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
            return RateRow.failed(db, threads, v.id(), round, e);
        }
    }
}
