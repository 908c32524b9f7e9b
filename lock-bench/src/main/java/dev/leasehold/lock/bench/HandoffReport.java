package dev.leasehold.lock.bench;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The handoff scenario's report: its table (percentiles over all rounds) and its chart ({@code handoff.svg}). */
final class HandoffReport {

    private HandoffReport() {}

    /** The handoff table: one row per database, waiter count and variant, all rounds pooled. */
    static void markdown(StringBuilder b, List<HandoffScenario.Row> handoff, Map<DbKind, List<Variant>> variants) {
        if (handoff.isEmpty()) {
            return;
        }
        b.append("## Handoff: release → a waiting acquirer holds the lock\n\n");
        b.append("Each participant is a process of its own; at every release exactly the given number of"
                + " processes wait. Latency from the start of the holder's release to the return of the waiter's"
                + " acquire, in milliseconds, all rounds pooled; then the spread of the per-round medians, and the"
                + " round trips of all participants per acquisition (median over rounds: what a handoff costs the"
                + " database, the woken waiters that lose included). Chart: [handoff.svg](handoff.svg) (cumulative"
                + " distribution, log scale).\n\n");
        b.append("| database | waiters | variant | n | min | p50 | p90 | p99 | max | round medians"
                + " | round trips per handoff |\n");
        b.append("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (DbKind db : variants.keySet()) {
            for (int waiters : new TreeSet<>(
                    handoff.stream().map(HandoffScenario.Row::waiters).toList())) {
                for (Variant v : variants.get(db)) {
                    List<HandoffScenario.Row> mine = rowsOf(handoff, db, waiters, v);
                    if (mine.isEmpty()) {
                        continue;
                    }
                    double[] all = pooled(mine);
                    List<Double> medians = new ArrayList<>();
                    List<Double> roundTrips = new ArrayList<>();
                    for (HandoffScenario.Row r : mine) {
                        roundTrips.add(r.roundTripsPerHandoff());
                        double[] s = r.latenciesMillis().clone();
                        Arrays.sort(s);
                        if (s.length > 0) {
                            medians.add(Stats.percentile(s, 50));
                        }
                    }
                    b.append(Report.fmt(
                            "| %s | %d | %s | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %s | %.1f |%n",
                            db.displayName(),
                            waiters,
                            v.id(),
                            all.length,
                            Stats.percentile(all, 0),
                            Stats.percentile(all, 50),
                            Stats.percentile(all, 90),
                            Stats.percentile(all, 99),
                            Stats.percentile(all, 100),
                            Stats.Summary.of(medians).format("%.2f"),
                            Stats.Summary.of(roundTrips).median()));
                }
            }
        }
        b.append('\n');
    }

    /** The rounds of one variant on one database with one waiter count. */
    private static List<HandoffScenario.Row> rowsOf(
            List<HandoffScenario.Row> handoff, DbKind db, int waiters, Variant variant) {
        return handoff.stream()
                .filter(r ->
                        r.db() == db && r.waiters() == waiters && r.variant().equals(variant.id()))
                .toList();
    }

    private static double[] pooled(List<HandoffScenario.Row> rows) {
        double[] all = rows.stream()
                .flatMapToDouble(r -> Arrays.stream(r.latenciesMillis()))
                .toArray();
        Arrays.sort(all);
        return all;
    }

    /** The cumulative distribution of every variant's handoffs, a panel per database and waiter count. */
    static String svg(List<HandoffScenario.Row> handoff, Map<DbKind, List<Variant>> variants, Instant started) {
        List<SvgChart.Panel> panels = new ArrayList<>();
        Set<Integer> waiterCounts =
                new TreeSet<>(handoff.stream().map(HandoffScenario.Row::waiters).toList());
        for (DbKind db : variants.keySet()) {
            for (int waiters : waiterCounts) {
                List<SvgChart.Series> series = new ArrayList<>();
                for (Variant v : variants.get(db)) {
                    List<HandoffScenario.Row> mine = rowsOf(handoff, db, waiters, v);
                    if (!mine.isEmpty()) {
                        series.add(new SvgChart.Series(v.id(), pooled(mine)));
                    }
                }
                if (!series.isEmpty()) {
                    panels.add(new SvgChart.Panel(
                            db.displayName() + ", " + waiters + (waiters == 1 ? " waiter" : " waiters"), series));
                }
            }
        }
        return SvgChart.cdf(
                "Handoff latency, release → a waiting acquirer holds the lock (" + started + ")",
                "milliseconds (log scale); y: share of handoffs at or below",
                panels,
                Math.max(1, waiterCounts.size()));
    }
}
