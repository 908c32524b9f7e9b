package dev.leasehold.lock.advisory;

import dev.leasehold.lock.spi.AwaitOutcome;
import dev.leasehold.lock.spi.ForwardingLeaseStore;
import dev.leasehold.lock.spi.LeaseGrant;
import dev.leasehold.lock.spi.LeaseKey;
import dev.leasehold.lock.spi.LeaseStore;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** A store wrapper that counts calls and passes everything else on, events included. */
final class CountingStore extends ForwardingLeaseStore {
    final AtomicInteger tryAcquires = new AtomicInteger();
    final AtomicInteger renewAlls = new AtomicInteger();
    final AtomicInteger awaits = new AtomicInteger();
    /** How many {@code awaitChange} calls are running now. */
    final AtomicInteger awaiting = new AtomicInteger();

    CountingStore(LeaseStore delegate) {
        super(delegate);
    }

    @Override
    public Optional<LeaseGrant> tryAcquire(String name, String owner, Duration leaseTime) throws SQLException {
        tryAcquires.incrementAndGet();
        return super.tryAcquire(name, owner, leaseTime);
    }

    @Override
    public Map<String, Instant> renewAll(String owner, Collection<LeaseKey> leases, Duration leaseTime)
            throws SQLException {
        renewAlls.incrementAndGet();
        return super.renewAll(owner, leases, leaseTime);
    }

    @Override
    public AwaitOutcome awaitChange(String name, Duration maxWait) throws InterruptedException, SQLException {
        awaits.incrementAndGet();
        awaiting.incrementAndGet();
        try {
            return super.awaitChange(name, maxWait);
        } finally {
            awaiting.decrementAndGet();
        }
    }
}
