package dev.leasehold.lock.table.internal;

import java.time.Duration;

/**
 * How an acquire whose row-lock wait rounds down to NOWAIT tries again. MariaDB counts row-lock waits in whole seconds,
 * so an acquire with a {@code rowLockTimeout} under a second cannot wait at all; yet what it meets locked is most
 * often a statement that commits within milliseconds: a release or renewal of the row it saw free, or, for a name
 * without a row, another name's insert or renewal whose locks cover the gap it inserts into. So it tries again every
 * {@value #EVERY_MILLIS} ms for up to {@code rowLockTimeout}, and only then reports the lock held.
 *
 * <p>This class is immutable and thread-safe.
 */
public final class BusyRowRetries {

    /** The pause between two tries. */
    public static final long EVERY_MILLIS = 10;

    private BusyRowRetries() {}

    /** How long an acquire keeps trying: {@code rowLockTimeout} when its wait rounds down to NOWAIT, else zero. */
    public static Duration retryFor(boolean roundsDownToNowait, Duration rowLockTimeout) {
        return roundsDownToNowait ? rowLockTimeout : Duration.ZERO;
    }

    /**
     * Pauses before the next try of an acquire that began at {@code startedNanos} ({@link System#nanoTime()}).
     *
     * @return false, without pausing, once {@code retryFor} has passed; false, with the interrupt kept, when
     *     interrupted, so that the caller gives up at once
     */
    public static boolean pauseBeforeNextTry(long startedNanos, Duration retryFor) {
        if (System.nanoTime() - startedNanos >= retryFor.toNanos()) {
            return false;
        }
        try {
            Thread.sleep(EVERY_MILLIS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
