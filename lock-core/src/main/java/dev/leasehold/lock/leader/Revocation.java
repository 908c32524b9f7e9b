package dev.leasehold.lock.leader;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockExpiredException;
import dev.leasehold.lock.internal.Arguments;
import java.util.Optional;

/**
 * Why a leader stopped being leader, as told to {@code onRevoked}.
 *
 * <p>This class is immutable and thread-safe.
 *
 * @param lease the lease that made this candidate leader; no longer valid
 * @param reason why leadership ended
 * @param cause the engine's report of the loss, when the reason is {@link Reason#LOST} and the engine noticed it
 *     (empty when, for example, the manager was closed underneath)
 */
public record Revocation(Lease lease, Reason reason, Optional<LockExpiredException> cause) {

    /** Why leadership ended. */
    public enum Reason {
        /**
         * The lease was lost: the engine found it gone or expired, or its manager was closed. Another candidate
         * may be leader already.
         */
        LOST,
        /** {@link LeaderElection#yieldLeadership()} was called; the lease was released. */
        YIELDED,
        /** {@link LeaderElection#close()} was called; the lease was released. */
        CLOSED
    }

    public Revocation {
        Arguments.notNull(lease, "lease");
        Arguments.notNull(reason, "reason");
        Arguments.notNull(cause, "cause");
    }
}
