package dev.leasehold.lock;

import java.time.Instant;
import java.util.Objects;

/**
 * A lock's current holder as the database sees it. Times are the database's clock.
 *
 * @param name the lock name
 * @param ownerId the owner that holds it
 * @param token the fencing token of the holder's lease
 * @param acquiredAt when the holder acquired it
 * @param expiresAt when the lease expires unless renewed
 */
public record LockInfo(String name, String ownerId, long token, Instant acquiredAt, Instant expiresAt) {
    public LockInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(ownerId, "ownerId");
        Objects.requireNonNull(acquiredAt, "acquiredAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }
}
