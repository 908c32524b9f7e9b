package dev.leasehold.lock.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The benchmark's options, given as {@code --name=value} arguments; {@code --smoke} first lowers every default to a
 * run of a few minutes that only proves the harness works.
 *
 * <p>This class is immutable and thread-safe.
 */
final class BenchOptions {

    /** Every option with its full-run default, in the order the help text shows them. */
    static final Map<String, String> DEFAULTS = defaults();

    /** What {@code --smoke} changes. */
    static final Map<String, String> SMOKE = Map.of(
            "rounds", "2",
            "seconds", "1",
            "warmup", "1",
            "handoffs", "15",
            "heartbeat-leases", "1,100,1000",
            "heartbeat-intervals", "2");

    private final Map<String, String> values;

    private BenchOptions(Map<String, String> values) {
        this.values = values;
    }

    private static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("databases", "pg,mariadb,h2");
        d.put("scenarios", "throughput,contention,handoff,heartbeat");
        d.put("variants", "all");
        d.put("rounds", "5");
        d.put("seconds", "3");
        d.put("warmup", "3");
        d.put("threads", "1,8");
        d.put("contenders", "2,8");
        d.put("contention-modes", "churn,held");
        d.put("waiters", "1,8");
        d.put("handoffs", "60");
        d.put("hold-ms", "20");
        d.put("hold-jitter-ms", "200");
        d.put("trace-over-ms", "0");
        d.put("trace-server-ms", "0");
        d.put("heartbeat-leases", "1,100,10000");
        d.put("heartbeat-ms", "1000");
        d.put("heartbeat-intervals", "5");
        d.put("out", "target/bench-results");
        d.put("pg-url", "jdbc:postgresql://127.0.0.1:5432/test?ApplicationName=leasehold-bench");
        d.put("pg-user", "postgres");
        d.put("pg-password", "");
        d.put("mariadb-url", "jdbc:mariadb://127.0.0.1:3306/test?useAffectedRows=true");
        d.put("mariadb-user", "root");
        d.put("mariadb-password", "");
        d.put("h2-url", "jdbc:h2:mem:leasehold_bench;DB_CLOSE_DELAY=-1");
        d.put("h2-user", "sa");
        d.put("h2-password", "");
        return d;
    }

    /**
     * Parses {@code --name=value} arguments and {@code --smoke}.
     *
     * @throws IllegalArgumentException naming the argument, for an unknown option or a bad value
     */
    static BenchOptions parse(String... args) {
        Map<String, String> values = new LinkedHashMap<>(DEFAULTS);
        Map<String, String> given = new LinkedHashMap<>();
        boolean smoke = false;
        for (String arg : args) {
            if (arg.isBlank()) {
                continue;
            }
            if (arg.equals("--smoke")) {
                smoke = true;
                continue;
            }
            int eq = arg.indexOf('=');
            if (!arg.startsWith("--") || eq < 0) {
                throw new IllegalArgumentException("argument '" + arg + "': use --name=value or --smoke");
            }
            String name = arg.substring(2, eq);
            if (!DEFAULTS.containsKey(name)) {
                throw new IllegalArgumentException("argument '" + arg + "': unknown option '" + name + "'; known: "
                        + String.join(", ", DEFAULTS.keySet()));
            }
            given.put(name, arg.substring(eq + 1));
        }
        if (smoke) {
            values.putAll(SMOKE);
        }
        values.putAll(given);
        values.put("smoke", Boolean.toString(smoke));
        BenchOptions options = new BenchOptions(values);
        options.check();
        return options;
    }

    private void check() {
        positive("rounds");
        positive("seconds");
        positive("handoffs");
        positive("heartbeat-ms");
        positive("heartbeat-intervals");
        ints("threads");
        ints("contenders");
        ints("waiters");
        ints("heartbeat-leases");
        if (integer("warmup") < 0
                || integer("hold-ms") < 0
                || integer("hold-jitter-ms") < 0
                || integer("trace-over-ms") < 0
                || integer("trace-server-ms") < 0) {
            throw new IllegalArgumentException(
                    "warmup, hold-ms, hold-jitter-ms, trace-over-ms and trace-server-ms must not be negative");
        }
        databases();
        for (String mode : list("contention-modes")) {
            if (!mode.equals("churn") && !mode.equals("held")) {
                throw new IllegalArgumentException("contention-modes: unknown mode '" + mode + "'; use churn, held");
            }
        }
        for (String scenario : list("scenarios")) {
            if (!List.of("throughput", "contention", "handoff", "heartbeat", "scheduled")
                    .contains(scenario)) {
                throw new IllegalArgumentException("scenarios: unknown scenario '" + scenario
                        + "'; use throughput, contention, handoff, heartbeat, scheduled");
            }
        }
    }

    private void positive(String name) {
        if (integer(name) < 1) {
            throw new IllegalArgumentException(name + " is " + values.get(name) + "; it must be at least 1");
        }
    }

    private void ints(String name) {
        for (int i : intList(name)) {
            if (i < 1) {
                throw new IllegalArgumentException(name + " holds " + i + "; every count must be at least 1");
            }
        }
    }

    String get(String name) {
        return values.get(name);
    }

    int integer(String name) {
        try {
            return Integer.parseInt(values.get(name).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " is '" + values.get(name) + "'; give a whole number");
        }
    }

    List<String> list(String name) {
        List<String> items = new ArrayList<>();
        for (String item : values.get(name).split(",")) {
            if (!item.isBlank()) {
                items.add(item.trim().toLowerCase(Locale.ROOT));
            }
        }
        return items;
    }

    List<Integer> intList(String name) {
        List<Integer> items = new ArrayList<>();
        for (String item : list(name)) {
            try {
                items.add(Integer.parseInt(item));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " holds '" + item + "'; give whole numbers, comma-separated");
            }
        }
        return items;
    }

    List<DbKind> databases() {
        return list("databases").stream().map(DbKind::ofKey).toList();
    }

    boolean scenario(String name) {
        return list("scenarios").contains(name);
    }

    /** The variant ids to run; empty means all. */
    Set<String> variants() {
        Set<String> ids = new LinkedHashSet<>(list("variants"));
        return ids.contains("all") ? Set.of() : ids;
    }

    int rounds() {
        return integer("rounds");
    }

    Duration seconds() {
        return Duration.ofSeconds(integer("seconds"));
    }

    Duration warmup() {
        return Duration.ofSeconds(integer("warmup"));
    }

    boolean smoke() {
        return Boolean.parseBoolean(values.get("smoke"));
    }

    Path out() {
        return Path.of(values.get("out"));
    }

    /** The options as given or defaulted, for the report (passwords masked). */
    Map<String, String> describe() {
        Map<String, String> shown = new LinkedHashMap<>(values);
        shown.replaceAll((k, v) -> k.endsWith("password") && !v.isEmpty() ? "***" : v);
        return shown;
    }

    /** The help text. */
    static String help() {
        StringBuilder b = new StringBuilder("Options (--name=value), with full-run defaults:\n");
        DEFAULTS.forEach(
                (k, v) -> b.append("  --").append(k).append('=').append(v).append('\n'));
        b.append("  --smoke   lowers ")
                .append(SMOKE)
                .append("\nVariants: ")
                .append(Variants.allIds())
                .append("\nProviders of the scheduled scenario (also picked by --variants): ")
                .append(ScheduledJobScenario.variants(DbKind.POSTGRESQL, Set.of()).stream()
                        .map(ScheduledJobScenario.JobVariant::id)
                        .toList());
        return b.toString();
    }
}
