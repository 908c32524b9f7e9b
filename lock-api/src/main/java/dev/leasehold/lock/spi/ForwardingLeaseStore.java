package dev.leasehold.lock.spi;

import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.internal.Arguments;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link LeaseStore} that passes every operation to another: extend it to watch or change some of them (count
 * calls, record failures, inject faults, own a resource that {@link #close()} also frees) and override only those.
 *
 * <p>This class is thread-safe if its delegate is.
 */
public class ForwardingLeaseStore implements LeaseStore {

    private final LeaseStore delegate;

    /**
     * A store forwarding to {@code delegate}.
     *
     * @throws IllegalArgumentException if {@code delegate} is null
     */
    public ForwardingLeaseStore(LeaseStore delegate) {
        this.delegate = Arguments.notNull(delegate, "delegate");
    }

    /** The wrapped store. */
    public LeaseStore delegate() {
        return delegate;
    }

    @Override
    public Optional<LeaseGrant> tryAcquire(String name, String owner, Duration leaseTime) throws SQLException {
        return delegate.tryAcquire(name, owner, leaseTime);
    }

    @Override
    public Optional<Instant> renew(String name, String owner, long token, Duration leaseTime) throws SQLException {
        return delegate.renew(name, owner, token, leaseTime);
    }

    @Override
    public Map<String, Instant> renewAll(String owner, Collection<LeaseKey> leases, Duration leaseTime)
            throws SQLException {
        return delegate.renewAll(owner, leases, leaseTime);
    }

    @Override
    public boolean release(String name, String owner, long token) throws SQLException {
        return delegate.release(name, owner, token);
    }

    @Override
    public boolean releaseAfter(String name, String owner, long token, Duration minHold) throws SQLException {
        return delegate.releaseAfter(name, owner, token, minHold);
    }

    @Override
    public long purgeIdle(Duration idleFor) throws SQLException {
        return delegate.purgeIdle(idleFor);
    }

    @Override
    public Optional<LockInfo> inspect(String name) throws SQLException {
        return delegate.inspect(name);
    }

    @Override
    public AwaitOutcome awaitChange(String name, Duration maxWait) throws InterruptedException, SQLException {
        return delegate.awaitChange(name, maxWait);
    }

    @Override
    public void attach(LeaseStoreEvents events) {
        delegate.attach(events);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
