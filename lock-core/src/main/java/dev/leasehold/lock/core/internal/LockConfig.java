package dev.leasehold.lock.core.internal;

import dev.leasehold.lock.LockOptions;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.RetryOptions;
import dev.leasehold.lock.internal.Arguments;
import java.time.Duration;

/**
 * The effective lease time, heartbeat and retry options of one lock: its own options over the manager's settings.
 *
 * @param leaseTime how long each grant or renewal lasts
 * @param heartbeat how often the lease is renewed; for a fixed-term lease, which is never renewed, its lease time
 * @param retry how acquire waits
 * @param fixedTerm whether the heartbeat leaves the lease alone
 * @param minHold the minimum hold of every release, zero for none
 */
record LockConfig(Duration leaseTime, Duration heartbeat, RetryOptions retry, boolean fixedTerm, Duration minHold) {

    static LockConfig of(LockSettings settings, LockOptions options) {
        Duration lease = options.leaseTime().orElse(settings.leaseTime());
        Duration minHold = options.minHold().orElse(Duration.ZERO);
        if (options.fixedTerm()) {
            return new LockConfig(lease, lease, options.retry().orElse(settings.retry()), true, minHold);
        }
        Duration heartbeat = options.heartbeatInterval()
                .orElse(
                        options.leaseTime().isPresent()
                                ? LockSettings.defaultHeartbeat(lease)
                                : settings.heartbeatInterval());
        Arguments.heartbeatShorterThanLease(heartbeat, lease);
        return new LockConfig(lease, heartbeat, options.retry().orElse(settings.retry()), false, minHold);
    }

    /**
     * The safety margin subtracted from each local deadline: 5 ms for timestamps kept to the millisecond plus 0.5 % of
     * the lease time for clock-rate drift between this host and the database.
     */
    static long marginNanos(Duration leaseTime) {
        return Duration.ofMillis(5).toNanos() + leaseTime.toNanos() / 200;
    }
}
