package dev.leasehold.lock.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.RetryOptions;
import dev.leasehold.lock.core.memory.InMemoryLeaseStore;
import dev.leasehold.lock.spi.ForwardingLeaseStore;
import dev.leasehold.lock.spi.LeaseGrant;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * The leases a manager released with a minimum hold, which it remembers so that a row still held by its own hold is
 * never adopted as a grant whose reply was lost: once more of them are remembered than the engine keeps before
 * pruning, those whose hold is over are dropped, and only those.
 */
class HoldsAfterReleaseTest {

    /** The reference store; once armed, the next grant fails with a transient failure. */
    private static final class Store extends ForwardingLeaseStore {
        final InMemoryLeaseStore memory;
        volatile boolean failNextAcquire;

        Store(InMemoryLeaseStore memory) {
            super(memory);
            this.memory = memory;
        }

        @Override
        public Optional<LeaseGrant> tryAcquire(String name, String owner, Duration leaseTime) throws SQLException {
            if (failNextAcquire) {
                failNextAcquire = false;
                throw new SQLException("serialization failure", "40001");
            }
            return super.tryAcquire(name, owner, leaseTime);
        }
    }

    @Test
    void pruningDropsTheHoldsThatAreOverAndKeepsTheOneThatLasts() {
        Store store = new Store(new InMemoryLeaseStore());
        Engine engine = new Engine(
                store,
                LockSettings.builder()
                        .ownerId("pruning")
                        .leaseTime(Duration.ofMinutes(5))
                        .retry(RetryOptions.none())
                        .build(),
                null);
        try {
            Duration shortHold = Duration.ofMillis(1);
            for (int i = 0; i < HoldsAfterRelease.KEPT_BEFORE_PRUNING; i++) {
                engine.lock("over-" + i).tryAcquire().orElseThrow().release(shortHold);
            }
            assertThat(engine.holdsRemembered())
                    .as("nothing is pruned while no more are remembered than the engine keeps")
                    .isEqualTo(HoldsAfterRelease.KEPT_BEFORE_PRUNING);
            // Every short hold is over, by this host's clock, before the next release, which is one too many.
            long over = System.nanoTime() + shortHold.toNanos();
            for (long left = shortHold.toNanos(); left > 0; left = over - System.nanoTime()) {
                LockSupport.parkNanos(left);
            }
            Lease lasting = engine.lock("lasting").tryAcquire().orElseThrow();
            lasting.release(Duration.ofMinutes(1));

            // The hold that lasts is still known as this manager's own: a grant whose first try failed transiently
            // finds the row naming this manager and must not take it for a grant of its own.
            store.failNextAcquire = true;
            assertThat(engine.lock("lasting").tryAcquire())
                    .as("a grant inside the minimum hold")
                    .isEmpty();
            assertThat(store.memory.inspect("lasting").orElseThrow().token()).isEqualTo(lasting.token());
            assertThat(engine.holdsRemembered())
                    .as("only the hold not yet over is remembered")
                    .isEqualTo(1);
        } finally {
            engine.close();
        }
    }
}
