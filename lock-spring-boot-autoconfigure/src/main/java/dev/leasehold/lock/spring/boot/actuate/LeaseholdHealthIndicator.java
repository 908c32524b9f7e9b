package dev.leasehold.lock.spring.boot.actuate;

import dev.leasehold.lock.LockBackendException;
import dev.leasehold.lock.LockManager;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The {@code leasehold} health indicator: whether the lock manager can reach its database. Each check inspects one
 * probe lock name (one read, no write, nothing held):
 *
 * <ul>
 *   <li>UP, with {@code ownerId} and {@code probe}, when the database answers;
 *   <li>DOWN, with {@code error} and {@code sqlState}, when it keeps failing ({@link LockBackendException});
 *   <li>OUT_OF_SERVICE, with {@code reason}, once the manager is closed (the application is shutting down).
 * </ul>
 *
 * <p>Leases lost recently are not reported: the engine offers loss only per lease ({@code Lease.onLost}), not for every
 * lease of a manager.
 *
 * <p>This class is thread-safe.
 */
public class LeaseholdHealthIndicator implements HealthIndicator {

    private final LockManager manager;
    private final String probeName;

    /**
     * An indicator over {@code manager} that inspects the lock {@code probeName}.
     *
     * @throws IllegalArgumentException if either is null
     */
    public LeaseholdHealthIndicator(LockManager manager, String probeName) {
        if (manager == null || probeName == null) {
            throw new IllegalArgumentException((manager == null ? "manager" : "probeName") + " must not be null");
        }
        this.manager = manager;
        this.probeName = probeName;
    }

    @Override
    public Health health() {
        try {
            manager.inspect(probeName);
            return Health.up()
                    .withDetail("ownerId", manager.ownerId())
                    .withDetail("probe", probeName)
                    .build();
        } catch (LockBackendException e) {
            Health.Builder down =
                    Health.down().withDetail("ownerId", manager.ownerId()).withDetail("error", e.getMessage());
            e.sqlState().ifPresent(state -> down.withDetail("sqlState", state));
            return down.build();
        } catch (IllegalStateException e) {
            // inspect refuses once close() has begun: the manager takes no new locks and is draining.
            return Health.outOfService()
                    .withDetail("ownerId", manager.ownerId())
                    .withDetail("reason", "the lock manager is closed: " + e.getMessage())
                    .build();
        }
    }
}
