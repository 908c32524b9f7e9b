package dev.leasehold.lock.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Collects the rows of every scenario and writes them: {@code results.md} (the tables, ratios and machine), one CSV per
 * scenario with every round, and {@code handoff.svg}.
 *
 * <p>This class is not thread-safe: the main thread fills it.
 */
final class Report {

    final List<RateRow> throughput = new ArrayList<>();
    final List<ContentionScenario.Row> contention = new ArrayList<>();
    final List<HandoffScenario.Row> handoff = new ArrayList<>();
    final List<HeartbeatScenario.Row> heartbeat = new ArrayList<>();
    final List<RateRow> scheduled = new ArrayList<>();

    private final BenchOptions options;
    private final Instant started = Instant.now();
    private final Map<String, String> machine = Machine.describe();
    private final Map<DbKind, Map<String, String>> databases = new LinkedHashMap<>();
    private final Map<DbKind, List<Variant>> variants = new LinkedHashMap<>();
    private final Map<DbKind, String> statementStatistics = new LinkedHashMap<>();
    private final Map<DbKind, List<ScheduledJobScenario.JobVariant>> scheduledVariants = new LinkedHashMap<>();

    Report(BenchOptions options) {
        this.options = options;
    }

    void database(Database db, List<Variant> used) {
        databases.put(db.kind(), db.describe());
        variants(db.kind(), used);
        statementStatistics.put(db.kind(), HeartbeatScenario.statementStatistics(db));
    }

    /** The variants that ran on a database, in the order the tables list them. */
    void variants(DbKind kind, List<Variant> used) {
        variants.put(kind, used);
    }

    /** The providers the scheduled-job scenario ran on a database, in the order its tables list them. */
    void scheduledVariants(DbKind kind, List<ScheduledJobScenario.JobVariant> used) {
        scheduledVariants.put(kind, used);
    }

    /** Writes every file into {@code dir}; returns the Markdown report's path. */
    Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        CsvTables.write(dir, this);
        if (!handoff.isEmpty()) {
            Files.writeString(dir.resolve("handoff.svg"), handoffSvg(), StandardCharsets.UTF_8);
        }
        Path md = dir.resolve("results.md");
        Files.writeString(md, markdown(), StandardCharsets.UTF_8);
        return md;
    }

    // ---- Markdown ----

    String markdown() {
        StringBuilder b = new StringBuilder();
        Instant ended = Instant.now();
        b.append("# Leasehold lock benchmark\n\n");
        if (options.smoke()) {
            b.append("**Smoke run** (`--smoke`): too short for any figure to mean much; it shows that the harness"
                    + " works.\n\n");
        }
        b.append("Started ")
                .append(started)
                .append(", ended ")
                .append(ended)
                .append(" (")
                .append(minutes(Duration.between(started, ended)))
                .append(").\n\n");
        b.append("## Machine\n\n");
        machine.forEach(
                (k, v) -> b.append("- ").append(k).append(": ").append(v).append('\n'));
        b.append("- load average at end (1, 5, 15 min): ")
                .append(Machine.loadAverage())
                .append("\n- pools: ")
                .append(Proc.describeSettings())
                .append("\n\n");
        b.append("## Databases\n\n");
        databases.forEach((kind, facts) -> {
            b.append("- **").append(kind.displayName()).append("**: ");
            List<String> parts = new ArrayList<>();
            facts.forEach((k, v) -> parts.add(k + " " + v));
            b.append(String.join("; ", parts)).append('\n');
        });
        b.append("\n## Options\n\n`");
        List<String> opts = new ArrayList<>();
        options.describe().forEach((k, v) -> {
            if (!k.endsWith("url") && !k.endsWith("user") && !k.endsWith("password")) {
                opts.add("--" + k + "=" + v);
            }
        });
        b.append(String.join(" ", opts)).append("`\n\n");
        // The scheduled-job scenario lists its providers itself; the lock variants matter to the other scenarios.
        if (!throughput.isEmpty() || !contention.isEmpty() || !handoff.isEmpty() || !heartbeat.isEmpty()) {
            b.append("## Variants\n\n| id | what |\n| --- | --- |\n");
            // A variant whose statements differ by database (the floor) gets a row per database.
            Map<String, String> labels = new LinkedHashMap<>();
            variants.forEach((kind, list) -> list.forEach(v -> {
                String seen = labels.putIfAbsent("`" + v.id() + "`", v.label());
                if (seen != null && !seen.equals(v.label())) {
                    labels.putIfAbsent("`" + v.id() + "` (" + kind.displayName() + ")", v.label());
                }
            }));
            labels.forEach((id, label) ->
                    b.append("| ").append(id).append(" | ").append(label).append(" |\n"));
            b.append('\n');
        }
        throughputMarkdown(b);
        contentionMarkdown(b);
        scheduledMarkdown(b);
        handoffMarkdown(b);
        heartbeatMarkdown(b);
        failuresMarkdown(b);
        return b.toString();
    }

    private void throughputMarkdown(StringBuilder b) {
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
                this::leaseholdToOthers);
    }

    /** Leasehold ÷ each lock of another library or raw JDBC, below a throughput table. */
    private void leaseholdToOthers(StringBuilder b, DbKind db, List<RateRow> rows) {
        List<Variant> ours =
                variants.get(db).stream().filter(Variant::isLeasehold).toList();
        List<Variant> others = variants.get(db).stream()
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

    private void scheduledMarkdown(StringBuilder b) {
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
                            .append(summary(mine, RateRow::perSecond).format("%.0f"))
                            .append(" | ")
                            .append(ratio(rows, id, reference).format("%.2f"))
                            .append(" | ")
                            .append(fmt(
                                    "%.1f",
                                    summary(mine, RateRow::roundTripsPerOp).median()))
                            .append(" | ")
                            .append(fmt(
                                    "%.3f",
                                    summary(mine, RateRow::clientMillisPerOp).median()))
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

    private void contentionMarkdown(StringBuilder b) {
        if (contention.isEmpty()) {
            return;
        }
        b.append("## One name, contended\n\n");
        b.append("Each contender is a process of its own (pool and client) trying in a tight loop without waiting."
                + " `churn`: a winner releases at once. `held`: another process holds the lock throughout, so every"
                + " try fails. Median (min – max) over rounds. The log figure is the server-wide delta over the"
                + " measurement (other sessions on the server add to it) divided by the tries.\n\n");
        Set<String> groups = new LinkedHashSet<>();
        contention.forEach(r -> groups.add(r.db() + "|" + r.contenders() + "|" + r.mode()));
        for (String group : groups) {
            String[] g = group.split("\\|");
            DbKind db = DbKind.valueOf(g[0]);
            int contenders = Integer.parseInt(g[1]);
            String mode = g[2];
            List<ContentionScenario.Row> rows = contention.stream()
                    .filter(r -> r.db() == db
                            && r.contenders() == contenders
                            && r.mode().equals(mode))
                    .toList();
            b.append("### ")
                    .append(db.displayName())
                    .append(", ")
                    .append(contenders)
                    .append(" contenders, ")
                    .append(mode)
                    .append("\n\n");
            b.append("| variant | acquisitions/s | failed tries/s | round trips per failed try | errors/s | ")
                    .append(db == DbKind.H2 ? "log" : db == DbKind.POSTGRESQL ? "WAL" : "redo")
                    .append(" bytes per try |\n| --- | ---: | ---: | ---: | ---: | ---: |\n");
            for (Variant v : variants.get(db)) {
                List<ContentionScenario.Row> mine = rows.stream()
                        .filter(r -> r.variant().equals(v.id()) && r.error() == null)
                        .toList();
                if (mine.isEmpty()) {
                    continue;
                }
                b.append("| ")
                        .append(v.id())
                        .append(" | ")
                        .append(summary(mine, ContentionScenario.Row::acquisitionsPerSecond)
                                .format("%.0f"))
                        .append(" | ")
                        .append(summary(mine, ContentionScenario.Row::failedTriesPerSecond)
                                .format("%.0f"))
                        .append(" | ")
                        .append(fmt(
                                "%.2f",
                                summary(mine, ContentionScenario.Row::roundTripsPerFailedTry)
                                        .median()))
                        .append(" | ")
                        .append(fmt(
                                "%.0f",
                                summary(mine, ContentionScenario.Row::errorsPerSecond)
                                        .median()))
                        .append(" | ")
                        .append(
                                db == DbKind.H2
                                        ? "–"
                                        : summary(mine, ContentionScenario.Row::logBytesPerTry)
                                                .format("%.0f"))
                        .append(" |\n");
            }
            b.append('\n');
        }
    }

    private void handoffMarkdown(StringBuilder b) {
        if (handoff.isEmpty()) {
            return;
        }
        b.append("## Handoff: release → a waiting acquirer holds the lock\n\n");
        b.append("Each participant is a process of its own; at every release exactly the given number of"
                + " processes wait. Latency from the start of the holder's release to the return of the waiter's"
                + " acquire, in milliseconds, all rounds pooled; the last column is the spread of the per-round"
                + " medians. Chart: [handoff.svg](handoff.svg) (cumulative distribution, log scale).\n\n");
        b.append("| database | waiters | variant | n | min | p50 | p90 | p99 | max | round medians |\n");
        b.append("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (DbKind db : variants.keySet()) {
            for (int waiters : new TreeSet<>(
                    handoff.stream().map(HandoffScenario.Row::waiters).toList())) {
                for (Variant v : variants.get(db)) {
                    List<HandoffScenario.Row> mine = handoff.stream()
                            .filter(r -> r.db() == db
                                    && r.waiters() == waiters
                                    && r.variant().equals(v.id()))
                            .toList();
                    if (mine.isEmpty()) {
                        continue;
                    }
                    double[] all = pooled(mine);
                    List<Double> medians = new ArrayList<>();
                    for (HandoffScenario.Row r : mine) {
                        double[] s = r.latenciesMillis().clone();
                        Arrays.sort(s);
                        if (s.length > 0) {
                            medians.add(Stats.percentile(s, 50));
                        }
                    }
                    b.append(fmt(
                            "| %s | %d | %s | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %s |%n",
                            db.displayName(),
                            waiters,
                            v.id(),
                            all.length,
                            Stats.percentile(all, 0),
                            Stats.percentile(all, 50),
                            Stats.percentile(all, 90),
                            Stats.percentile(all, 99),
                            Stats.percentile(all, 100),
                            Stats.Summary.of(medians).format("%.2f")));
                }
            }
        }
        b.append('\n');
    }

    private static double[] pooled(List<HandoffScenario.Row> rows) {
        double[] all = rows.stream()
                .flatMapToDouble(r -> Arrays.stream(r.latenciesMillis()))
                .toArray();
        Arrays.sort(all);
        return all;
    }

    private void heartbeatMarkdown(StringBuilder b) {
        if (heartbeat.isEmpty()) {
            return;
        }
        b.append("## Holding leases: heartbeats and heap\n\n");
        b.append(fmt(
                "One manager holds the leases (heartbeat every %d ms, lease time ten times that); statements,"
                        + " commits and client-side time in statements (round trip included) are counted below its"
                        + " pool over %d intervals. Heap per lease: heap after garbage collection holding them all"
                        + " minus holding none, divided by their number (from 100 leases up; not for the in-process"
                        + " H2, whose rows live in the same heap). `lost`: leases no longer valid at the end.%n%n",
                options.integer("heartbeat-ms"), options.integer("heartbeat-intervals")));
        statementStatistics.forEach((db, text) -> b.append("- ")
                .append(db.displayName())
                .append(": ")
                .append(text)
                .append('\n'));
        b.append("\n| database | backend | leases | statements per interval | commits per interval | ms in"
                + " statements per interval | server ms per interval | heap bytes per lease | lost | seconds to take"
                + " them |\n| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (HeartbeatScenario.Row r : heartbeat) {
            if (r.error() != null) {
                continue;
            }
            b.append(fmt(
                    "| %s | %s | %d%s | %.1f | %.1f | %.2f | %s | %s | %d | %.1f |%n",
                    r.db().displayName(),
                    r.variant(),
                    r.leases(),
                    r.capped() ? " (capped)" : "",
                    r.statementsPerInterval(),
                    r.commitsPerInterval(),
                    r.clientMillisPerInterval(),
                    Double.isNaN(r.serverMillisPerInterval()) ? "–" : fmt("%.2f", r.serverMillisPerInterval()),
                    Double.isNaN(r.heapBytesPerLease()) ? "–" : fmt("%.0f", r.heapBytesPerLease()),
                    r.lost(),
                    r.acquireSeconds()));
        }
        b.append('\n');
    }

    private void failuresMarkdown(StringBuilder b) {
        List<String> failures = new ArrayList<>();
        throughput.stream()
                .filter(r -> r.error() != null)
                .forEach(r -> failures.add(fmt(
                        "throughput %s %d threads round %d %s: %s",
                        r.db().key(), r.threads(), r.round() + 1, r.variant(), r.error())));
        contention.stream()
                .filter(r -> r.error() != null)
                .forEach(r -> failures.add(fmt(
                        "contention %s %d %s round %d %s: %s",
                        r.db().key(), r.contenders(), r.mode(), r.round() + 1, r.variant(), r.error())));
        handoff.stream()
                .filter(r -> r.error() != null)
                .forEach(r -> failures.add(fmt(
                        "handoff %s %d waiters round %d %s: %s",
                        r.db().key(), r.waiters(), r.round() + 1, r.variant(), r.error())));
        scheduled.stream()
                .filter(r -> r.error() != null)
                .forEach(r -> failures.add(fmt(
                        "scheduled %s %d threads round %d %s: %s",
                        r.db().key(), r.threads(), r.round() + 1, r.variant(), r.error())));
        heartbeat.stream()
                .filter(r -> r.error() != null)
                .forEach(r -> failures.add(
                        fmt("heartbeat %s %s %d leases: %s", r.db().key(), r.variant(), r.leases(), r.error())));
        if (!failures.isEmpty()) {
            b.append("## Failures\n\n");
            failures.forEach(f -> b.append("- ").append(f).append('\n'));
            b.append('\n');
        }
    }

    // ---- SVG ----

    String handoffSvg() {
        List<SvgChart.Panel> panels = new ArrayList<>();
        Set<Integer> waiterCounts =
                new TreeSet<>(handoff.stream().map(HandoffScenario.Row::waiters).toList());
        for (DbKind db : variants.keySet()) {
            for (int waiters : waiterCounts) {
                List<SvgChart.Series> series = new ArrayList<>();
                for (Variant v : variants.get(db)) {
                    List<HandoffScenario.Row> mine = handoff.stream()
                            .filter(r -> r.db() == db
                                    && r.waiters() == waiters
                                    && r.variant().equals(v.id()))
                            .toList();
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

    private static <R> Stats.Summary summary(List<R> rows, java.util.function.ToDoubleFunction<R> f) {
        return Stats.Summary.of(rows.stream().map(r -> f.applyAsDouble(r)).toList());
    }

    private static String minutes(Duration d) {
        return d.toMinutes() + " min " + d.toSecondsPart() + " s";
    }

    private static String fmt(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }
}
