package dev.leasehold.lock.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

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
        RateTables.throughput(b, throughput, variants);
        contentionMarkdown(b);
        RateTables.scheduled(b, scheduled, scheduledVariants);
        HandoffReport.markdown(b, handoff, variants);
        heartbeatMarkdown(b);
        failuresMarkdown(b);
        return b.toString();
    }

    /** The handoff chart, {@code handoff.svg}. */
    String handoffSvg() {
        return HandoffReport.svg(handoff, variants, started);
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

    static <R> Stats.Summary summary(List<R> rows, java.util.function.ToDoubleFunction<R> f) {
        return Stats.Summary.of(rows.stream().map(r -> f.applyAsDouble(r)).toList());
    }

    private static String minutes(Duration d) {
        return d.toMinutes() + " min " + d.toSecondsPart() + " s";
    }

    static String fmt(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }
}
