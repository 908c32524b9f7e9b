package dev.leasehold.lock.spring.boot.actuate;

import dev.leasehold.lock.LockInfo;
import java.time.Instant;

/**
 * One held lock as the {@code leasehold} endpoint shows it. Times are the database's clock.
 *
 * <p>This class is immutable and thread-safe.
 *
 * @param name the lock name
 * @param ownerId the owner id of the manager that holds it
 * @param token the fencing token of the holder's lease
 * @param acquiredAt when the holder acquired it
 * @param expiresAt when the lease expires unless renewed
 * @param heldByThisApplication whether the holder is this application's lock manager
 */
public record LockDescriptor(
        String name, String ownerId, long token, Instant acquiredAt, Instant expiresAt, boolean heldByThisApplication) {

    static LockDescriptor of(LockInfo info, String localOwnerId) {
        return new LockDescriptor(
                info.name(),
                info.ownerId(),
                info.token(),
                info.acquiredAt(),
                info.expiresAt(),
                info.ownerId().equals(localOwnerId));
    }
}
