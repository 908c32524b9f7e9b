package dev.leasehold.lock.core.internal;

import dev.leasehold.lock.spi.LeaseStore;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last steps of an {@link Engine}'s close: releasing what is still held, each lease with its lock's minimum hold,
 * and closing the store once no work can need it.
 *
 * <p>This class is thread-safe.
 */
final class Closing {

    private static final Logger LOG = LoggerFactory.getLogger(Closing.class);

    private Closing() {}

    /**
     * Releases every lease still held, each with its lock's minimum hold (so that closing never frees a lock earlier
     * than its release would have); a failure is logged, and the lease expires by the database clock.
     */
    static void releaseAll(LeaseStore store, String owner, List<ManagedLease> leases) {
        for (ManagedLease lease : leases) {
            if (!lease.beginCloseRelease()) {
                continue;
            }
            try {
                StoreCalls.run(
                        lease.name(),
                        "release",
                        () -> lease.minHold().isZero()
                                ? store.release(lease.name(), owner, lease.token())
                                : store.releaseAfter(lease.name(), owner, lease.token(), lease.minHold()));
            } catch (RuntimeException e) {
                LOG.warn(
                        "could not release lock '{}' while closing; it expires at {} by the database clock",
                        lease.name(),
                        lease.expiresAt(),
                        e);
            } finally {
                lease.finishCloseRelease();
            }
        }
    }

    /**
     * Closes the store now, or, when work outlived the drain, once that work has returned or one lease time has
     * passed, on a daemon thread: a store whose locks live in its session (advisory locks) would free them on close.
     */
    static void closeStoreAfter(LeaseStore store, String owner, Lifecycle lifecycle, List<ManagedLease> outlivers) {
        if (outlivers.isEmpty()) {
            closeStore(store, owner);
            return;
        }
        long bound = outlivers.stream()
                .mapToLong(lease -> lease.leaseTime().toNanos())
                .max()
                .orElse(0);
        Thread closer = new Thread(
                () -> {
                    lifecycle.awaitOutlived(bound);
                    closeStore(store, owner);
                },
                "leasehold-close-" + owner);
        closer.setDaemon(true);
        closer.start();
    }

    private static void closeStore(LeaseStore store, String owner) {
        try {
            store.close();
        } catch (RuntimeException e) {
            LOG.warn("closing the lease store of owner {} failed", owner, e);
        }
    }
}
