package dev.leasehold.lock.bench;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.advisory.AdvisoryOptions;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What holding leases costs: one manager of each Leasehold backend holds 1, 100 or 10,000 leases (the {@code advisory}
 * backend at most its default cap of {@value AdvisoryOptions#DEFAULT_MAX_LOCKS}, since PostgreSQL's shared lock
 * table is finite and shared with everyone on the server), and the statements, commits and time in statements that
 * its heartbeats send per interval are counted below its pool; where {@code pg_stat_statements} is loaded, its
 * server-side execution time too. The heap used per held lease is the difference of the heap after garbage
 * collection between holding none and holding them all, divided by their number.
 */
final class HeartbeatScenario {

    /** One backend holding {@code leases} leases. */
    record Row(
            DbKind db,
            String variant,
            int leases,
            boolean capped,
            double statementsPerInterval,
            double commitsPerInterval,
            double clientMillisPerInterval,
            double serverMillisPerInterval,
            double heapBytesPerLease,
            int lost,
            double acquireSeconds,
            String error) {}

    private HeartbeatScenario() {}

    static List<Row> run(Database db, List<Variant> variants, BenchOptions options) throws InterruptedException {
        List<Row> rows = new ArrayList<>();
        Duration interval = Duration.ofMillis(options.integer("heartbeat-ms"));
        int intervals = options.integer("heartbeat-intervals");
        for (Variant v : variants) {
            if (!v.isLeasehold()) {
                continue;
            }
            String backend = v.id().substring("leasehold-".length());
            // One manager per backend: a variant of a backend on another table (leasehold-jdbc-notify-always) renews
            // as its backend does.
            if (!LeaseholdClients.backends(db.kind()).contains(backend)) {
                continue;
            }
            for (int wanted : options.intList("heartbeat-leases")) {
                boolean capped = backend.equals("advisory") && wanted > AdvisoryOptions.DEFAULT_MAX_LOCKS;
                int leases = capped ? AdvisoryOptions.DEFAULT_MAX_LOCKS : wanted;
                Row row = measure(db, v, backend, leases, capped, interval, intervals);
                rows.add(row);
                Log.line(
                        "  %s heartbeat %-20s %6d leases: %s",
                        db.kind().key(),
                        v.id(),
                        leases,
                        row.error() == null
                                ? String.format(
                                        Locale.ROOT,
                                        "%.1f statements, %.1f commits, %.2f ms in statements per interval;"
                                                + " %.0f heap bytes/lease; %d lost",
                                        row.statementsPerInterval(),
                                        row.commitsPerInterval(),
                                        row.clientMillisPerInterval(),
                                        row.heapBytesPerLease(),
                                        row.lost())
                                : "FAILED " + row.error());
            }
        }
        return rows;
    }

    private static Row measure(
            Database db, Variant v, String backend, int count, boolean capped, Duration interval, int intervals)
            throws InterruptedException {
        String prefix = db.prefix() + "h" + LeaseholdClients.code(backend) + "_";
        Duration leaseTime = interval.multipliedBy(10);
        try (Proc proc = db.newProc("bench-heartbeat-" + backend);
                LeaseholdClients.Client client = LeaseholdClients.open(proc, backend, prefix, leaseTime, interval);
                Connection monitor = db.connect()) {
            // One lease taken and given back first, so that classes and caches are in the baseline.
            client.manager().lock("warm").tryAcquire().orElseThrow().release();
            long heapBefore = usedHeapAfterGc();
            Lease[] held = new Lease[count];
            long start = System.nanoTime();
            int threads = Math.min(8, count);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Thread> takers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                Thread taker = new Thread(() -> {
                    try {
                        for (int i = first; i < count; i += threads) {
                            held[i] = client.manager()
                                    .lock("lease-" + i)
                                    .tryAcquire()
                                    .orElseThrow(() -> new IllegalStateException("a free lease was not granted"));
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                });
                takers.add(taker);
                taker.start();
            }
            for (Thread taker : takers) {
                taker.join();
            }
            if (failure.get() != null) {
                throw new IllegalStateException("taking the leases failed", failure.get());
            }
            double acquireSeconds = (System.nanoTime() - start) / 1e9;
            long heapAfter = usedHeapAfterGc();
            // Leases taken over a spread of time fall into step on the manager's one heartbeat: let them.
            Thread.sleep(interval.multipliedBy(2).toMillis());
            String table = prefix + "distributed_locks";
            double serverBefore = serverMillis(db, monitor, table);
            CountingDataSource.Counts before = proc.counts();
            Thread.sleep(interval.multipliedBy(intervals).toMillis());
            CountingDataSource.Counts used = proc.counts().minus(before);
            double serverAfter = serverMillis(db, monitor, table);
            int lost = 0;
            for (Lease lease : held) {
                if (!lease.isValid()) {
                    lost++;
                }
            }
            return new Row(
                    db.kind(),
                    v.id(),
                    count,
                    capped,
                    (double) used.executions() / intervals,
                    (double) used.endings() / intervals,
                    used.nanos() / 1e6 / intervals,
                    (serverAfter - serverBefore) / intervals,
                    count >= 100 && db.kind() != DbKind.H2 ? (double) (heapAfter - heapBefore) / count : Double.NaN,
                    lost,
                    acquireSeconds,
                    null);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            return new Row(
                    db.kind(),
                    v.id(),
                    count,
                    capped,
                    Double.NaN,
                    Double.NaN,
                    Double.NaN,
                    Double.NaN,
                    Double.NaN,
                    0,
                    Double.NaN,
                    Workers.describe(e));
        }
    }

    /** The heap in use after garbage collection: the least of three collections' results. */
    static long usedHeapAfterGc() throws InterruptedException {
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
            least = Math.min(
                    least,
                    ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return least;
    }

    /**
     * The execution time {@code pg_stat_statements} has recorded for statements naming the table, in milliseconds;
     * NaN where the extension is not loaded (it must be in {@code shared_preload_libraries}) or the database is not
     * PostgreSQL.
     */
    static double serverMillis(Database db, Connection c, String table) {
        if (db.kind() != DbKind.POSTGRESQL) {
            return Double.NaN;
        }
        try (PreparedStatement s = c.prepareStatement("SELECT coalesce(sum(total_exec_time), 0) FROM"
                + " pg_stat_statements WHERE position(? in query) > 0")) {
            s.setString(1, table);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getDouble(1) : Double.NaN;
            }
        } catch (SQLException e) {
            return Double.NaN;
        }
    }

    /** Whether {@code pg_stat_statements} answers on this database, for the report. */
    static String statementStatistics(Database db) {
        if (db.kind() != DbKind.POSTGRESQL) {
            return "not PostgreSQL: statements counted below the pool only";
        }
        try (Connection c = db.connect()) {
            return Double.isNaN(serverMillis(db, c, "x"))
                    ? "pg_stat_statements not available (not in shared_preload_libraries or not created):"
                            + " statements counted below the pool only"
                    : "pg_stat_statements available: server execution time reported";
        } catch (SQLException e) {
            return "could not ask: " + e.getMessage();
        }
    }
}
