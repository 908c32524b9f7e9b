package dev.leasehold.lock.spring.boot.actuate;

import dev.leasehold.lock.LockBackendException;
import dev.leasehold.lock.LockManager;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The {@code leasehold} health indicator: whether the lock manager can reach its database, and which leases it lost
 * recently. Each check inspects one probe lock name (one read, no write, nothing held):
 *
 * <ul>
 *   <li>UP, with {@code ownerId} and {@code probe}, when the database answers;
 *   <li>DOWN, with {@code error} and {@code sqlState}, when it keeps failing ({@link LockBackendException});
 *   <li>OUT_OF_SERVICE, with {@code reason}, once the manager is closed (the application is shutting down).
 * </ul>
 *
 * <p>Every state also carries {@code leasesLost}: how many leases were lost within {@code lostWindow} and the newest
 * {@value #LOSSES_SHOWN} of them ({@code name}, {@code token}, {@code reason}, {@code noticedAt}). Losses do not change
 * the status: the holder has already been told (its {@code onLost} listeners ran, its {@code withLock} or
 * {@code @Locked} call ended with {@code LockExpiredException}), and neither restarting the instance nor taking it out
 * of a load balancer, which is what DOWN and OUT_OF_SERVICE lead to, would bring the lease back. Alert on the metric
 * {@code leasehold.leases.lost} instead.
 *
 * <p>This class is thread-safe.
 */
public class LeaseholdHealthIndicator implements HealthIndicator {

    /** How many of the recent losses the details list. */
    public static final int LOSSES_SHOWN = 5;

    private final LockManager manager;
    private final String probeName;
    private final RecentLeaseLosses losses;

    /**
     * An indicator over {@code manager} that inspects the lock {@code probeName} and reports the losses {@code losses}
     * recorded.
     *
     * @throws IllegalArgumentException if an argument is null
     */
    public LeaseholdHealthIndicator(LockManager manager, String probeName, RecentLeaseLosses losses) {
        if (manager == null || probeName == null || losses == null) {
            throw new IllegalArgumentException(
                    (manager == null ? "manager" : probeName == null ? "probeName" : "losses") + " must not be null");
        }
        this.manager = manager;
        this.probeName = probeName;
        this.losses = losses;
    }

    @Override
    public Health health() {
        Health.Builder health;
        try {
            manager.inspect(probeName);
            health = Health.up().withDetail("probe", probeName);
        } catch (LockBackendException e) {
            Health.Builder down = Health.down().withDetail("error", e.getMessage());
            e.sqlState().ifPresent(state -> down.withDetail("sqlState", state));
            health = down;
        } catch (IllegalStateException e) {
            // inspect refuses once close() has begun: the manager takes no new locks and is draining.
            health = Health.outOfService().withDetail("reason", "the lock manager is closed: " + e.getMessage());
        }
        return health.withDetail("ownerId", manager.ownerId())
                .withDetail("leasesLost", lossDetails())
                .build();
    }

    private Map<String, Object> lossDetails() {
        RecentLeaseLosses.Snapshot snapshot = losses.snapshot();
        List<Map<String, Object>> newest = snapshot.losses().stream()
                .limit(LOSSES_SHOWN)
                .map(loss -> {
                    Map<String, Object> one = new LinkedHashMap<>();
                    one.put("name", loss.name());
                    one.put("token", loss.token());
                    one.put("reason", loss.reason().name());
                    one.put("noticedAt", loss.noticedAt().toString());
                    return one;
                })
                .toList();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("lostWindow", losses.window().toString());
        details.put("count", snapshot.losses().size());
        if (snapshot.truncated()) {
            details.put("truncated", true);
        }
        details.put("newest", newest);
        return details;
    }
}
