package dev.leasehold.lock.core.internal;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The optional periodic purge of a manager ({@code LockSettings.purgeIdleAfter}): purges idle names on a daemon thread
 * of its own, so that neither a caller's thread nor the heartbeat's (whose renewals must not wait behind a purge of a
 * large table) ever runs it.
 *
 * <p>The interval is the idle age, but at least one minute and at most one hour: a name is gone at most one interval
 * after it became purgeable, each run costs a scan of the table even when nothing is idle (so never more often than
 * every minute per manager), and an hour keeps a table of one-off names from growing by more than an hour's worth.
 * The first run comes at a random point of the first interval (at most {@value #FIRST_RUN_WITHIN_SECONDS} s), so that
 * managers started together do not purge together. A failure is logged and the next run tries again; a store that
 * cannot purge stops the schedule.
 *
 * <p>This class is thread-safe.
 */
final class PeriodicPurge {

    private static final Logger LOG = LoggerFactory.getLogger(PeriodicPurge.class);

    static final Duration MIN_INTERVAL = Duration.ofMinutes(1);
    static final Duration MAX_INTERVAL = Duration.ofHours(1);
    static final long FIRST_RUN_WITHIN_SECONDS = 10;

    private final ScheduledExecutorService timer;
    private final Duration idleFor;
    private final ToLongFunction<Duration> purge;
    private final String owner;

    private PeriodicPurge(Duration idleFor, ToLongFunction<Duration> purge, String owner) {
        this.idleFor = idleFor;
        this.purge = purge;
        this.owner = owner;
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = new Thread(r, "leasehold-purge-" + owner);
            thread.setDaemon(true);
            return thread;
        });
        t.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.timer = t;
    }

    /** Starts purging names idle for longer than {@code idleFor} through {@code purge}. */
    static PeriodicPurge start(Duration idleFor, ToLongFunction<Duration> purge, String owner) {
        PeriodicPurge p = new PeriodicPurge(idleFor, purge, owner);
        long interval = interval(idleFor).toMillis();
        long first = ThreadLocalRandom.current()
                .nextLong(Math.min(interval, TimeUnit.SECONDS.toMillis(FIRST_RUN_WITHIN_SECONDS)) + 1);
        p.timer.scheduleWithFixedDelay(p::run, first, interval, TimeUnit.MILLISECONDS);
        return p;
    }

    /** How often names idle for longer than {@code idleFor} are purged: that often, within one minute and one hour. */
    static Duration interval(Duration idleFor) {
        return idleFor.compareTo(MIN_INTERVAL) < 0
                ? MIN_INTERVAL
                : idleFor.compareTo(MAX_INTERVAL) > 0 ? MAX_INTERVAL : idleFor;
    }

    private void run() {
        try {
            long purged = purge.applyAsLong(idleFor);
            LOG.debug("owner {} purged {} names idle for longer than {}", owner, purged, idleFor);
        } catch (UnsupportedOperationException e) {
            LOG.warn("the periodic purge of owner {} stops: {}", owner, e.getMessage());
            timer.shutdown();
        } catch (IllegalStateException e) {
            timer.shutdown(); // the manager closed while this run started
        } catch (RuntimeException e) {
            LOG.warn("the periodic purge of owner {} failed; the next run tries again", owner, e);
        }
    }

    /** Stops the schedule; a run in flight finishes on its own (its store calls fail once the store is closed). */
    void stop() {
        timer.shutdownNow();
    }
}
