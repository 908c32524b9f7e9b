package dev.leasehold.lock.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * What a {@link LeaseStore} returns when it grants a lease.
 *
 * @param token the fencing token, computed by the granting operation from the lock's previous token
 * @param acquiredAt the time of the grant by the store's clock, as the store keeps it for {@link
 *     LeaseStore#releaseAfter} and {@code inspect}
 * @param expiresAt the expiry by the store's clock
 */
public record LeaseGrant(long token, Instant acquiredAt, Instant expiresAt) {
    public LeaseGrant {
        Objects.requireNonNull(acquiredAt, "acquiredAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        if (expiresAt.isBefore(acquiredAt)) {
            throw new IllegalArgumentException(
                    "a grant cannot expire (" + expiresAt + ") before it was acquired (" + acquiredAt + ")");
        }
    }
}
