package dev.leasehold.lock.bench;

import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * One name contended by several simulated processes, each one thread with a pool and a client of its own, trying
 * without waiting in a tight loop. In {@code churn} mode a thread that wins releases at once, so the lock changes hands
 * as fast as the database lets it; in {@code held} mode another process holds the lock throughout, so that every try
 * fails and the cost of a failed try shows alone. The database's log (WAL or redo) is read before and after each
 * measurement on a connection of its own.
 */
final class ContentionScenario {

    /** One variant's figures in one round. */
    record Row(
            DbKind db,
            int contenders,
            String mode,
            String variant,
            int round,
            double acquisitionsPerSecond,
            double failedTriesPerSecond,
            double roundTripsPerFailedTry,
            double errorsPerSecond,
            long logBytes,
            double logBytesPerTry,
            String error) {}

    private ContentionScenario() {}

    static List<Row> run(Database db, List<Variant> variants, int contenders, String mode, BenchOptions options)
            throws Exception {
        List<Variant> locks = variants.stream().filter(Variant::isLock).toList();
        List<Row> rows = new ArrayList<>();
        Duration warm = Duration.ofMillis(Math.max(200, options.seconds().toMillis() / 10));
        try (Connection monitor = db.connect()) {
            for (int round = 0; round < options.rounds(); round++) {
                List<Variant> order = new ArrayList<>(locks);
                Collections.rotate(order, -round);
                for (Variant v : order) {
                    Row row = measure(db, monitor, v, contenders, mode, warm, options.seconds(), round);
                    rows.add(row);
                    Log.line(
                            "  %s %d contenders %s round %d %-26s %s",
                            db.kind().key(),
                            contenders,
                            mode,
                            round + 1,
                            v.id(),
                            row.error() == null
                                    ? String.format(
                                            Locale.ROOT,
                                            "%7.0f acq/s %8.0f failed/s %.1f rt/failed %.0f log B/try%s",
                                            row.acquisitionsPerSecond(),
                                            row.failedTriesPerSecond(),
                                            row.roundTripsPerFailedTry(),
                                            row.logBytesPerTry(),
                                            row.errorsPerSecond() > 0
                                                    ? String.format(
                                                            Locale.ROOT, " %.0f errors/s", row.errorsPerSecond())
                                                    : "")
                                    : "FAILED " + row.error());
                }
            }
        }
        return rows;
    }

    private static Row measure(
            Database db,
            Connection monitor,
            Variant v,
            int contenders,
            String mode,
            Duration warm,
            Duration time,
            int round)
            throws Exception {
        String name = "hot";
        List<Proc> procs = new ArrayList<>();
        List<LockClient> clients = new ArrayList<>();
        LockClient.Held holding = null;
        try {
            for (int i = 0; i < contenders + (mode.equals("held") ? 1 : 0); i++) {
                Proc proc = db.newProc("bench-" + v.id() + "-" + i);
                procs.add(proc);
                clients.add(v.factory().open(proc));
            }
            if (mode.equals("held")) {
                holding = clients.get(contenders).tryAcquire(name);
                if (holding == null) {
                    throw new IllegalStateException("the holder could not take " + name);
                }
            }
            LongAdder acquisitions = new LongAdder();
            LongAdder failed = new LongAdder();
            LongAdder failedRoundTrips = new LongAdder();
            LongAdder errors = new LongAdder();
            AtomicReference<String> firstError = new AtomicReference<>();
            boolean[] counting = {false};
            Workers.Body attempt = i -> {
                Proc proc = procs.get(i);
                CountingDataSource.Counts before = proc.counts();
                LockClient.Held held;
                try {
                    held = clients.get(i).tryAcquire(name);
                } catch (Exception e) {
                    if (counting[0]) {
                        errors.increment();
                    }
                    firstError.compareAndSet(null, Workers.describe(e));
                    return;
                }
                if (held != null) {
                    held.release();
                    if (counting[0]) {
                        acquisitions.increment();
                    }
                } else if (counting[0]) {
                    failed.increment();
                    failedRoundTrips.add(proc.counts().minus(before).roundTrips());
                }
            };
            Workers.Outcome w = Workers.runFor(contenders, warm, attempt);
            if (w.failure() != null) {
                return failed(db, contenders, mode, v, round, w.failure());
            }
            counting[0] = true;
            long logBefore = db.logPosition(monitor);
            Workers.Outcome outcome = Workers.runFor(contenders, time, attempt);
            long logAfter = db.logPosition(monitor);
            if (outcome.failure() != null) {
                return failed(db, contenders, mode, v, round, outcome.failure());
            }
            double seconds = outcome.elapsedNanos() / 1e9;
            long tries = acquisitions.sum() + failed.sum();
            long logBytes = logBefore < 0 ? -1 : logAfter - logBefore;
            return new Row(
                    db.kind(),
                    contenders,
                    mode,
                    v.id(),
                    round,
                    acquisitions.sum() / seconds,
                    failed.sum() / seconds,
                    failed.sum() == 0 ? Double.NaN : (double) failedRoundTrips.sum() / failed.sum(),
                    errors.sum() / seconds,
                    logBytes,
                    logBytes < 0 || tries == 0 ? Double.NaN : (double) logBytes / tries,
                    errors.sum() > tries ? "mostly errors: " + firstError.get() : null);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            return failed(db, contenders, mode, v, round, e);
        } finally {
            if (holding != null) {
                try {
                    holding.release();
                } catch (Exception e) {
                    Log.line("  %s: the holder's release failed: %s", v.id(), Workers.describe(e));
                }
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

    private static Row failed(Database db, int contenders, String mode, Variant v, int round, Throwable e) {
        return new Row(
                db.kind(),
                contenders,
                mode,
                v.id(),
                round,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                -1,
                Double.NaN,
                Workers.describe(e));
    }
}
