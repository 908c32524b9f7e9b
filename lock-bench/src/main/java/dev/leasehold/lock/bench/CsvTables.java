package dev.leasehold.lock.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Every round and every handoff sample of a run as CSV files, one per scenario, next to the Markdown report.
 *
 * <p>This class is thread-safe: it keeps no state.
 */
final class CsvTables {

    private CsvTables() {}

    /**
     * Writes {@code throughput.csv}, {@code contention.csv}, {@code handoff.csv}, {@code heartbeat.csv} and, when that
     * scenario ran, {@code scheduled.csv}.
     */
    static void write(Path dir, Report report) throws IOException {
        Files.writeString(
                dir.resolve("throughput.csv"),
                rates(
                        "database,threads,variant,round,cycles_per_s,round_trips_per_cycle,client_ms_per_cycle,error\n",
                        report.throughput),
                StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("contention.csv"), contention(report), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("handoff.csv"), handoff(report), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("heartbeat.csv"), heartbeat(report), StandardCharsets.UTF_8);
        if (!report.scheduled.isEmpty()) {
            Files.writeString(
                    dir.resolve("scheduled.csv"),
                    rates(
                            "database,threads,provider,round,runs_per_s,round_trips_per_run,client_ms_per_run,error\n",
                            report.scheduled),
                    StandardCharsets.UTF_8);
        }
    }

    /** The rows of a rate scenario under {@code header}, which names their columns for that scenario. */
    private static String rates(String header, List<RateRow> rows) {
        StringBuilder b = new StringBuilder(header);
        for (RateRow r : rows) {
            b.append(fmt(
                    "%s,%d,%s,%d,%.1f,%.3f,%.4f,%s%n",
                    r.db().key(),
                    r.threads(),
                    r.variant(),
                    r.round() + 1,
                    r.perSecond(),
                    r.roundTripsPerOp(),
                    r.clientMillisPerOp(),
                    csv(r.error())));
        }
        return b.toString();
    }

    private static String contention(Report report) {
        StringBuilder b = new StringBuilder("database,contenders,mode,variant,round,acquisitions_per_s,"
                + "failed_tries_per_s,round_trips_per_failed_try,errors_per_s,log_bytes,log_bytes_per_try,error\n");
        for (ContentionScenario.Row r : report.contention) {
            b.append(fmt(
                    "%s,%d,%s,%s,%d,%.1f,%.1f,%.3f,%.1f,%d,%.1f,%s%n",
                    r.db().key(),
                    r.contenders(),
                    r.mode(),
                    r.variant(),
                    r.round() + 1,
                    r.acquisitionsPerSecond(),
                    r.failedTriesPerSecond(),
                    r.roundTripsPerFailedTry(),
                    r.errorsPerSecond(),
                    r.logBytes(),
                    r.logBytesPerTry(),
                    csv(r.error())));
        }
        return b.toString();
    }

    private static String handoff(Report report) {
        StringBuilder b =
                new StringBuilder("database,waiters,variant,round,latency_ms,round_trips_per_handoff,error\n");
        for (HandoffScenario.Row r : report.handoff) {
            if (r.latenciesMillis().length == 0) {
                b.append(fmt(
                        "%s,%d,%s,%d,,%.2f,%s%n",
                        r.db().key(),
                        r.waiters(),
                        r.variant(),
                        r.round() + 1,
                        r.roundTripsPerHandoff(),
                        csv(r.error())));
            }
            for (double latency : r.latenciesMillis()) {
                b.append(fmt(
                        "%s,%d,%s,%d,%.3f,%.2f,%s%n",
                        r.db().key(),
                        r.waiters(),
                        r.variant(),
                        r.round() + 1,
                        latency,
                        r.roundTripsPerHandoff(),
                        csv(r.error())));
            }
        }
        return b.toString();
    }

    private static String heartbeat(Report report) {
        StringBuilder b = new StringBuilder("database,variant,leases,capped,statements_per_interval,"
                + "commits_per_interval,client_ms_per_interval,server_ms_per_interval,heap_bytes_per_lease,lost,"
                + "acquire_seconds,error\n");
        for (HeartbeatScenario.Row r : report.heartbeat) {
            b.append(fmt(
                    "%s,%s,%d,%s,%.2f,%.2f,%.3f,%.3f,%.1f,%d,%.2f,%s%n",
                    r.db().key(),
                    r.variant(),
                    r.leases(),
                    r.capped(),
                    r.statementsPerInterval(),
                    r.commitsPerInterval(),
                    r.clientMillisPerInterval(),
                    r.serverMillisPerInterval(),
                    r.heapBytesPerLease(),
                    r.lost(),
                    r.acquireSeconds(),
                    csv(r.error())));
        }
        return b.toString();
    }

    private static String csv(String text) {
        return text == null ? "" : "\"" + text.replace("\"", "'") + "\"";
    }

    private static String fmt(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }
}
