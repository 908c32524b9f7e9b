package dev.leasehold.lock.bench;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Runs the benchmark: for each database, every variant through every chosen scenario, then writes the report. Tables
 * it creates carry a prefix of this run ({@code bench_<8 hex digits>_}) and are dropped at the end, also when the run
 * is interrupted.
 *
 * <p>This class has no state; {@link #main} is meant to be called once per JVM.
 */
public final class BenchMain {

    private BenchMain() {}

    /**
     * Runs the benchmark with {@code --name=value} options; {@code --help} lists them.
     *
     * @param args the options
     */
    public static void main(String[] args) throws Exception {
        // Hibernate logs through JBoss Logging, which would otherwise choose java.util.logging and print at INFO.
        System.setProperty("org.jboss.logging.provider", "slf4j");
        for (String arg : args) {
            if (arg.equals("--help") || arg.equals("-h")) {
                System.out.println(BenchOptions.help());
                return;
            }
        }
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(BenchOptions.help());
            System.exit(64);
            return;
        }
        Report report = new Report(options);
        String prefix = "bench_" + HexFormat.of().formatHex(SecureRandom.getSeed(4)) + "_";
        List<Database> opened = new ArrayList<>();
        Thread cleanUp = new Thread(() -> dropTables(opened), "bench-clean-up");
        Runtime.getRuntime().addShutdownHook(cleanUp);
        Log.line("Leasehold lock benchmark%s: tables prefixed %s", options.smoke() ? " (smoke run)" : "", prefix);
        for (DbKind kind : options.databases()) {
            Database db = new Database(
                    kind,
                    options.get(kind.key() + "-url"),
                    options.get(kind.key() + "-user"),
                    options.get(kind.key() + "-password"),
                    prefix);
            try (Connection c = db.connect()) {
                Log.line("%s: %s", kind.displayName(), c.getMetaData().getDatabaseProductVersion());
            } catch (Exception e) {
                Log.line("%s: left out, cannot connect: %s", kind.displayName(), Workers.describe(e));
                continue;
            }
            synchronized (opened) {
                opened.add(db);
            }
            List<Variant> variants = new ArrayList<>();
            for (Variant v : Variants.forDatabase(kind, options.variants())) {
                try {
                    v.factory().setUp(db);
                    variants.add(v);
                } catch (Exception e) {
                    Log.line("  %s: left out, set-up failed: %s", v.id(), Workers.describe(e));
                }
            }
            report.database(db, variants);
            if (options.scenario("throughput")) {
                for (int threads : options.intList("threads")) {
                    Log.line("%s: acquire + release, %d thread(s)", kind.displayName(), threads);
                    report.throughput.addAll(ThroughputScenario.run(db, variants, threads, options));
                }
            }
            if (options.scenario("contention")) {
                for (String mode : options.list("contention-modes")) {
                    for (int contenders : options.intList("contenders")) {
                        Log.line("%s: one name, %d contenders, %s", kind.displayName(), contenders, mode);
                        report.contention.addAll(ContentionScenario.run(db, variants, contenders, mode, options));
                    }
                }
            }
            if (options.scenario("handoff")) {
                for (int waiters : options.intList("waiters")) {
                    Log.line("%s: handoff, %d waiter(s)", kind.displayName(), waiters);
                    report.handoff.addAll(HandoffScenario.run(db, variants, waiters, options));
                }
            }
            if (options.scenario("scheduled")) {
                runScheduled(db, options, report);
            }
            if (options.scenario("heartbeat")) {
                Log.line("%s: heartbeats and heap", kind.displayName());
                report.heartbeat.addAll(HeartbeatScenario.run(db, variants, options));
            }
        }
        Path out = options.out().toAbsolutePath();
        Path md = report.write(out);
        Runtime.getRuntime().removeShutdownHook(cleanUp);
        dropTables(opened);
        Log.line("Written: %s (and throughput.csv, contention.csv, handoff.csv, heartbeat.csv, handoff.svg)", md);
        System.out.println(String.format(Locale.ROOT, "%nReport: %s", md));
        // Pools and managers are closed; daemon threads of the peers' libraries must not keep the JVM alive.
        System.exit(0);
    }

    private static void runScheduled(Database db, BenchOptions options, Report report) throws InterruptedException {
        List<Integer> threadCounts = options.intList("threads");
        try {
            ScheduledJobScenario.setUpWork(
                    db, threadCounts.stream().mapToInt(Integer::intValue).max().orElse(1));
        } catch (Exception e) {
            Log.line("  scheduled: left out, the work table could not be made: %s", Workers.describe(e));
            return;
        }
        List<ScheduledJobScenario.JobVariant> providers = new ArrayList<>();
        for (ScheduledJobScenario.JobVariant v : ScheduledJobScenario.variants(db.kind(), options.variants())) {
            try {
                v.factory().setUp(db);
                providers.add(v);
            } catch (Exception e) {
                Log.line("  %s: left out, set-up failed: %s", v.id(), Workers.describe(e));
            }
        }
        report.scheduledVariants(db.kind(), providers);
        for (int threads : threadCounts) {
            Log.line(
                    "%s: scheduled job under ShedLock's executor, %d thread(s)",
                    db.kind().displayName(), threads);
            report.scheduled.addAll(ScheduledJobScenario.run(db, providers, threads, options));
        }
    }

    private static void dropTables(List<Database> opened) {
        List<Database> copy;
        synchronized (opened) {
            copy = new ArrayList<>(opened);
            opened.clear();
        }
        for (Database db : copy) {
            try {
                db.dropRunTables();
            } catch (Exception e) {
                System.err.println("could not drop the run's tables on " + db + ": " + Workers.describe(e));
            }
        }
    }
}
