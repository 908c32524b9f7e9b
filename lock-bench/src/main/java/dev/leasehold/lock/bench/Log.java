package dev.leasehold.lock.bench;

import java.time.Duration;
import java.util.Locale;

/** Progress lines on standard error, with the time since the run started. */
final class Log {

    private static final long START = System.nanoTime();

    private Log() {}

    static void line(String format, Object... args) {
        Duration since = Duration.ofNanos(System.nanoTime() - START);
        System.err.printf(
                Locale.ROOT,
                "[%3d:%02d] %s%n",
                since.toMinutes(),
                since.toSecondsPart(),
                String.format(Locale.ROOT, format, args));
        System.err.flush();
    }
}
