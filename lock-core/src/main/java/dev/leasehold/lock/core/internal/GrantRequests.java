package dev.leasehold.lock.core.internal;

import dev.failsafe.RetryPolicy;
import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.spi.LeaseGrant;
import dev.leasehold.lock.spi.LeaseStore;
import dev.leasehold.lock.spi.SqlFailures;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An acquire attempt's request to the store: the grant statement with its transient failures retried by the
 * attempt's policy, a row-lock timeout read as "held", and, when a transient failure hid the outcome, the adoption of
 * a grant whose reply was lost.
 *
 * <p>This class is thread-safe.
 */
final class GrantRequests {

    private static final Logger LOG = LoggerFactory.getLogger(GrantRequests.class);

    /** A grant, and the {@link System#nanoTime()} taken just before the request that obtained it. */
    record Sent(LeaseGrant grant, long sentAt) {}

    private final LeaseStore store;
    private final String owner;
    private final HoldsAfterRelease holdsAfterRelease;

    GrantRequests(LeaseStore store, String owner, HoldsAfterRelease holdsAfterRelease) {
        this.store = store;
        this.owner = owner;
        this.holdsAfterRelease = holdsAfterRelease;
    }

    /** Asks the store to grant {@code name} for {@code leaseTime}; empty when it is held elsewhere. */
    Optional<Sent> request(
            String name, Duration leaseTime, Supplier<RetryPolicy<Optional<LeaseGrant>>> transientRetry) {
        AtomicBoolean hadTransientFailure = new AtomicBoolean();
        AtomicLong sentAt = new AtomicLong();
        Optional<LeaseGrant> grant = StoreCalls.run(transientRetry, name, "acquire", () -> {
            sentAt.set(System.nanoTime());
            try {
                return store.tryAcquire(name, owner, leaseTime);
            } catch (Exception e) {
                if (SqlFailures.isLockNotAvailable(e)) {
                    // Another transaction holds the lock's row within the bounded lock wait (a grant in progress, a
                    // transactional check, an application's or administrator's open transaction): held.
                    return Optional.empty();
                }
                if (SqlFailures.isTransient(e)) {
                    hadTransientFailure.set(true);
                }
                throw e;
            }
        });
        if (grant.isPresent()) {
            return Optional.of(new Sent(grant.get(), sentAt.get()));
        }
        // The statement that failed may have committed before its reply was lost.
        return hadTransientFailure.get() ? adoptLostReply(name, leaseTime) : Optional.empty();
    }

    /**
     * After a transient failure the store may have granted the lock without the reply arriving. If it shows this owner
     * as holder, take that grant over by renewing it with its token.
     */
    private Optional<Sent> adoptLostReply(String name, Duration leaseTime) {
        Optional<LockInfo> holder = StoreCalls.run(name, "acquire", () -> store.inspect(name));
        if (holder.isEmpty() || !holder.get().ownerId().equals(owner)) {
            return Optional.empty();
        }
        long token = holder.get().token();
        if (holdsAfterRelease.isHold(name, token)) {
            // This manager's own minimum hold after a release, not a grant: the lock is held, by the hold.
            return Optional.empty();
        }
        long sent = System.nanoTime();
        Optional<Instant> renewed = StoreCalls.run(name, "acquire", () -> store.renew(name, owner, token, leaseTime));
        if (renewed.isEmpty()) {
            return Optional.empty();
        }
        LOG.info(
                "lock '{}' was granted to {} (token {}) but the reply was lost; the grant is adopted",
                name,
                owner,
                token);
        return Optional.of(new Sent(new LeaseGrant(token, holder.get().acquiredAt(), renewed.get()), sent));
    }
}
