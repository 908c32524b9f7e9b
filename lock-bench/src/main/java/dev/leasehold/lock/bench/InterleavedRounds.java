package dev.leasehold.lock.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * Runs the variants of a rate scenario in interleaved rounds: round r runs every variant once, in an order rotated by
 * r, so that a slow spell of a shared machine falls on every variant alike and the per-round ratios cancel it. A
 * variant whose warm-up fails is left out of the rounds.
 */
final class InterleavedRounds {

    /** Measures one variant: {@code warm} unmeasured, then {@code time} measured. */
    interface Measure<V> {
        RateRow measure(V variant, Duration warm, Duration time, int round) throws InterruptedException;
    }

    private InterleavedRounds() {}

    /**
     * The warm-up rows that failed and the rows of every round.
     *
     * @param id a variant's id
     * @param unit what one operation is called in the progress lines ({@code cycle}, {@code run})
     * @param idWidth the width of the id column in the progress lines
     */
    static <V> List<RateRow> run(
            Database db,
            List<V> variants,
            Function<V, String> id,
            int threads,
            BenchOptions options,
            String unit,
            int idWidth,
            Measure<V> measure)
            throws InterruptedException {
        List<RateRow> rows = new ArrayList<>();
        Set<String> broken = new LinkedHashSet<>();
        Duration roundWarmup = Duration.ofMillis(Math.max(200, options.seconds().toMillis() / 10));
        for (V v : variants) {
            if (!options.warmup().isZero()) {
                RateRow warm = measure.measure(v, Duration.ZERO, options.warmup(), -1);
                if (warm.error() != null) {
                    Log.line("  %s: warm-up failed, left out: %s", id.apply(v), warm.error());
                    broken.add(id.apply(v));
                    rows.add(warm);
                }
            }
        }
        String progress = "  %s %d thread(s) round %d %-" + idWidth + "s %s";
        String figures = "%8.0f " + unit + "s/s  %.1f round trips/" + unit;
        for (int round = 0; round < options.rounds(); round++) {
            List<V> order = new ArrayList<>(variants);
            Collections.rotate(order, -round);
            for (V v : order) {
                if (broken.contains(id.apply(v))) {
                    continue;
                }
                RateRow row = measure.measure(v, roundWarmup, options.seconds(), round);
                rows.add(row);
                Log.line(
                        progress,
                        db.kind().key(),
                        threads,
                        round + 1,
                        id.apply(v),
                        row.error() == null
                                ? String.format(Locale.ROOT, figures, row.perSecond(), row.roundTripsPerOp())
                                : "FAILED " + row.error());
            }
        }
        return rows;
    }
}
