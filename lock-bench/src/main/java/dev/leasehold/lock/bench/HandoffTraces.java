package dev.leasehold.lock.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;

/**
 * The timelines of handoffs slower than {@code --trace-over-ms} (0, the default, keeps none), written to
 * {@code handoff-traces.md} in the output directory: for each, every step of every participant from the start of the
 * release to the return of the winning acquire, and on PostgreSQL, with {@code --trace-server-ms}, what
 * the server's backends waited for meanwhile ({@link ServerWaits}).
 *
 * <p>This class is thread-safe: it holds settings only and appends whole entries.
 */
final class HandoffTraces {

    /** A handoff slower than the limit: when its release started and its acquire returned, and who won it. */
    record Slow(long releaseStarted, long acquired, int winner) {}

    private final long overNanos;
    private final int sampleMillis;
    private final Path file;

    HandoffTraces(BenchOptions options) {
        this.overNanos = options.integer("trace-over-ms") * 1_000_000L;
        this.sampleMillis = options.integer("trace-server-ms");
        this.file = Path.of(options.get("out")).resolve("handoff-traces.md");
    }

    boolean enabled() {
        return overNanos > 0;
    }

    /** How often, in ms, to sample what the server's backends wait for; 0 for never. */
    int sampleMillis() {
        return sampleMillis;
    }

    boolean isSlow(long nanos) {
        return enabled() && nanos > overNanos;
    }

    /** Appends the timeline of each slow handoff. */
    synchronized void write(DbKind db, String variant, int waiters, int round, Timeline timeline, List<Slow> slow) {
        if (slow.isEmpty()) {
            return;
        }
        StringBuilder out = new StringBuilder();
        for (Slow handoff : slow) {
            out.append(String.format(
                    Locale.ROOT,
                    "## %s, %s, %s, %d waiter(s), round %d: %.2f ms, won by p%d%n%n",
                    Instant.now()
                            .minusNanos(System.nanoTime() - handoff.releaseStarted())
                            .truncatedTo(ChronoUnit.MILLIS),
                    db.displayName(),
                    variant,
                    waiters,
                    round + 1,
                    (handoff.acquired() - handoff.releaseStarted()) / 1e6,
                    handoff.winner()));
            out.append("```\n   start ms    end ms    took  who                          what\n");
            out.append(timeline.describe(handoff.releaseStarted(), handoff.acquired()));
            out.append("```\n\n");
        }
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, out, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        Log.line("  %d slow handoff(s) traced in %s", slow.size(), file);
    }
}
