package dev.leasehold.lock.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The Markdown tables of the scenarios that measure a rate in interleaved rounds (the uncontended scenario and the
 * scheduled job): per database and thread count, each variant's rate, its ratio to a reference taken within each
 * round, its round trips and its time in statements.
 */
final class RateTables {

    private RateTables() {}

    /** The uncontended scenario's tables, one per database and thread count, with Leasehold ÷ each other lock. */
    static void throughput(StringBuilder b, List<RateRow> throughput, Map<DbKind, List<Variant>> variants) {
        if (throughput.isEmpty()) {
            return;
        }
        b.append("## Acquire + release, uncontended\n\n");
        b.append("Each thread acquires and releases a lock of its own name in a loop; all threads share one pool and"
                + " one client. Figures are median (min – max) over rounds; a ratio is taken within each round"
                + " (variant ÷ reference in the same round), then summarised. Round trips are statement executions"
                + " plus commits and rollbacks, counted below the pool; the time in statements is what the client"
                + " waited for them (round trip included), summed over the threads.\n\n");
        rateTables(
                b,
                throughput,
                ids(variants, Variant::id),
                " threads, distinct names",
                "| variant | cycles/s | ratio to the floor | round trips per cycle | ms in statements per"
                        + " cycle |\n| --- | ---: | ---: | ---: | ---: |\n",
                "floor",
                (out, db, rows) -> leaseholdToOthers(out, variants.get(db), rows));
    }

    /** Leasehold ÷ each lock of another library or raw JDBC, below a throughput table. */
    private static void leaseholdToOthers(StringBuilder b, List<Variant> variants, List<RateRow> rows) {
        List<Variant> ours = variants.stream().filter(Variant::isLeasehold).toList();
        List<Variant> others = variants.stream()
                .filter(v -> !v.isLeasehold() && v.isLock() && v.role() != Variant.Role.FLOOR)
                .toList();
        if (ours.isEmpty() || others.isEmpty()) {
            return;
        }
        b.append("\nLeasehold ÷ each other variant, per round (median (min – max)):\n\n| |");
        others.forEach(o -> b.append(' ').append(o.id()).append(" |"));
        b.append("\n| ---");
        others.forEach(o -> b.append(" | ---:"));
        b.append(" |\n");
        for (Variant v : ours) {
            b.append("| ").append(v.id());
            for (Variant o : others) {
                b.append(" | ").append(ratio(rows, v.id(), o.id()).format("%.2f"));
            }
            b.append(" |\n");
        }
    }

    /** The scheduled-job scenario's tables, one per database and thread count. */
    static void scheduled(
            StringBuilder b,
            List<RateRow> scheduled,
            Map<DbKind, List<ScheduledJobScenario.JobVariant>> scheduledVariants) {
        if (scheduled.isEmpty()) {
            return;
        }
        b.append("## A scheduled job under ShedLock's executor\n\n");
        b.append(
                "`DefaultLockingTaskExecutor.executeWithLock` runs the same job (one auto-committed `UPDATE` of a row of"
                        + " one work table, on the process's pool) with `lockAtMostFor` 30 s and `lockAtLeastFor` 0, each thread"
                        + " its own job name, in a loop; only the `LockProvider` differs. After each measurement the work table"
                        + " must count exactly the runs the executor reported. Median (min – max) over rounds; a ratio is taken"
                        + " within each round. Round trips per run include the job's one `UPDATE`.\n\n");
        b.append("| id | provider |\n| --- | --- |\n");
        Map<String, String> labels = new LinkedHashMap<>();
        scheduledVariants.values().forEach(list -> list.forEach(v -> labels.putIfAbsent(v.id(), v.label())));
        labels.forEach((id, label) ->
                b.append("| `").append(id).append("` | ").append(label).append(" |\n"));
        b.append('\n');
        rateTables(
                b,
                scheduled,
                ids(scheduledVariants, ScheduledJobScenario.JobVariant::id),
                " threads, distinct job names",
                "| provider | runs/s | ratio to " + ScheduledJobScenario.REFERENCE
                        + " | round trips per run | ms in statements per run |\n| --- | ---: | ---: | ---: | ---: |\n",
                ScheduledJobScenario.REFERENCE,
                (out, db, rows) -> {});
    }

    /** Adds to a rate table, after its rows: the table's database and all its rounds. */
    private interface BelowTable {
        void append(StringBuilder b, DbKind db, List<RateRow> rows);
    }

    /**
     * A table per database and thread count: per variant, in the order of {@code ids}, its rate, its ratio to {@code
     * reference}, its round trips and its time in statements per operation, each summarised over the rounds.
     *
     * @param manyThreads what the heading says after a thread count above one
     * @param header the table's header and separator lines
     */
    private static void rateTables(
            StringBuilder b,
            List<RateRow> all,
            Map<DbKind, List<String>> ids,
            String manyThreads,
            String header,
            String reference,
            BelowTable below) {
        for (DbKind db : ids.keySet()) {
            for (int threads : new TreeSet<>(all.stream().map(RateRow::threads).toList())) {
                List<RateRow> rows = all.stream()
                        .filter(r -> r.db() == db && r.threads() == threads && r.round() >= 0)
                        .toList();
                if (rows.isEmpty()) {
                    continue;
                }
                b.append("### ")
                        .append(db.displayName())
                        .append(", ")
                        .append(threads)
                        .append(threads == 1 ? " thread" : manyThreads)
                        .append("\n\n");
                b.append(header);
                for (String id : ids.get(db)) {
                    List<RateRow> mine = rows.stream()
                            .filter(r -> r.variant().equals(id) && r.error() == null)
                            .toList();
                    if (mine.isEmpty()) {
                        continue;
                    }
                    b.append("| ")
                            .append(id)
                            .append(" | ")
                            .append(Report.summary(mine, RateRow::perSecond).format("%.0f"))
                            .append(" | ")
                            .append(ratio(rows, id, reference).format("%.2f"))
                            .append(" | ")
                            .append(Report.fmt(
                                    "%.1f",
                                    Report.summary(mine, RateRow::roundTripsPerOp)
                                            .median()))
                            .append(" | ")
                            .append(Report.fmt(
                                    "%.3f",
                                    Report.summary(mine, RateRow::clientMillisPerOp)
                                            .median()))
                            .append(" |\n");
                }
                below.append(b, db, rows);
                b.append('\n');
            }
        }
    }

    /** The ids of each database's variants, in their order. */
    private static <V> Map<DbKind, List<String>> ids(Map<DbKind, List<V>> byDb, Function<V, String> id) {
        Map<DbKind, List<String>> ids = new LinkedHashMap<>();
        byDb.forEach((db, list) -> ids.put(db, list.stream().map(id).toList()));
        return ids;
    }

    /** The per-round ratios of one variant's rate to another's, summarised. */
    private static Stats.Summary ratio(List<RateRow> rows, String variant, String reference) {
        List<Double> ratios = new ArrayList<>();
        for (RateRow r : rows) {
            if (!r.variant().equals(variant) || r.error() != null) {
                continue;
            }
            rows.stream()
                    .filter(o -> o.variant().equals(reference) && o.round() == r.round() && o.error() == null)
                    .findFirst()
                    .ifPresent(o -> ratios.add(r.perSecond() / o.perSecond()));
        }
        return Stats.Summary.of(ratios);
    }
}
