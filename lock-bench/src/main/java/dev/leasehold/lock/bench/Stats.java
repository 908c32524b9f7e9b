package dev.leasehold.lock.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/** Order statistics over rounds and over latency samples. */
final class Stats {

    private Stats() {}

    /** The least, the median and the greatest of some values; NaN for none. */
    record Summary(double min, double median, double max, int n) {
        static Summary of(Collection<Double> values) {
            List<Double> sorted = new ArrayList<>(values);
            sorted.removeIf(v -> v == null || v.isNaN());
            sorted.sort(null);
            if (sorted.isEmpty()) {
                return new Summary(Double.NaN, Double.NaN, Double.NaN, 0);
            }
            return new Summary(sorted.get(0), Stats.median(sorted), sorted.get(sorted.size() - 1), sorted.size());
        }

        /** {@code median (min – max)} with the given format, or {@code –} for none. */
        String format(String pattern) {
            if (n == 0) {
                return "–";
            }
            return String.format(Locale.ROOT, pattern + " (" + pattern + " – " + pattern + ")", median, min, max);
        }
    }

    /** The median of sorted values: the middle one, or the mean of the two middle ones. */
    static double median(List<Double> sorted) {
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** The nearest-rank percentile {@code p} (0 to 100) of sorted values; NaN for none. */
    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        if (p <= 0) {
            return sorted[0];
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
    }
}
