package dev.leasehold.lock.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * What a {@link LeaseStore} returns when it grants a lease.
 *
 * @param token the fencing token, computed by the granting operation from the lock's previous token
 * @param expiresAt the expiry by the store's clock
 */
public record LeaseGrant(long token, Instant expiresAt) {
    public LeaseGrant {
        Objects.requireNonNull(expiresAt, "expiresAt");
    }
}
