package dev.leasehold.lock.spi;

import java.util.Objects;

/**
 * One held lease, as {@link LeaseStore#renewAll} receives it: the lock name and the token of the grant.
 *
 * @param name the lock name
 * @param token the fencing token of the grant
 */
public record LeaseKey(String name, long token) {
    public LeaseKey {
        Objects.requireNonNull(name, "name");
    }
}
