package dev.leasehold.lock.spring.boot.actuate;

import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.jdbc.JdbcLockManager;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * The {@code leasehold} endpoint with its write operation: {@code POST /actuator/leasehold/{name}} frees the lock
 * whoever holds it (the holder learns at its next renewal that its lease is gone, and its {@code onLost} listeners
 * run). Registered instead of {@link LeaseholdEndpoint} only when {@code leasehold.actuator.force-release.enabled=true};
 * otherwise that request is answered 405, as for any operation the endpoint does not have.
 *
 * <p>This class is thread-safe.
 */
@Endpoint(id = LeaseholdEndpoint.ID)
public class LeaseholdAdminEndpoint extends LeaseholdEndpoint {

    /** An endpoint with the force release, over the application's manager and a manager of the same lease table. */
    public LeaseholdAdminEndpoint(LockManager manager, JdbcLockManager table) {
        super(manager, table);
    }

    /**
     * Frees the lock {@code name} whoever holds it. Exactly the lease read is released, so a lease granted in between
     * is left alone.
     */
    @WriteOperation
    public ReleaseDescriptor release(@Selector String name) {
        return table().forceRelease(name)
                .map(freed -> new ReleaseDescriptor(
                        name, true, LockDescriptor.of(freed, manager().ownerId())))
                .orElseGet(() -> new ReleaseDescriptor(name, false, null));
    }

    /**
     * The outcome of a force release.
     *
     * @param name the lock name
     * @param released whether a lease was freed (false: nobody held the lock)
     * @param previousHolder the lease that was freed, if any
     */
    public record ReleaseDescriptor(String name, boolean released, LockDescriptor previousHolder) {}
}
