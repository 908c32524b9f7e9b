package dev.leasehold.lock.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What every participant of a handoff round did and when: each statement, commit and rollback that reached the server
 * (timed as the client sees it, round trip included) and the harness's own steps (a release called, an acquire
 * returned). Kept only when a run asks for the timelines of slow handoffs ({@code --trace-over-ms}), so that a slow
 * handoff can be taken apart into its steps afterwards.
 *
 * <p>This class is thread-safe.
 */
final class Timeline {

    /** One step: who did what between two {@link System#nanoTime()} readings. */
    record Event(String who, String what, long start, long end) {}

    private final List<Event> events = new ArrayList<>();

    synchronized void add(String who, String what, long start, long end) {
        events.add(new Event(who, what, start, end));
    }

    /** The steps that overlap {@code [from, to]}, in the order they started. */
    synchronized List<Event> between(long from, long to) {
        return events.stream()
                .filter(e -> e.end() >= from && e.start() <= to)
                .sorted((a, b) -> Long.compare(a.start(), b.start()))
                .toList();
    }

    /**
     * The steps of {@code [from, to]} as lines: start and end in milliseconds after {@code from}, duration, who and
     * what.
     */
    String describe(long from, long to) {
        StringBuilder out = new StringBuilder();
        for (Event e : between(from, to)) {
            out.append(String.format(
                    Locale.ROOT,
                    "%9.2f %9.2f %8.2f  %-28s %s%n",
                    (e.start() - from) / 1e6,
                    (e.end() - from) / 1e6,
                    (e.end() - e.start()) / 1e6,
                    e.who(),
                    e.what()));
        }
        return out.toString();
    }

    /** A statement as one short line: whitespace folded, cut at {@code max} characters. */
    static String shorten(String sql, int max) {
        String folded = sql.strip().replaceAll("\\s+", " ");
        return folded.length() <= max ? folded : folded.substring(0, max) + "…";
    }
}
