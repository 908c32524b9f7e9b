package dev.leasehold.lock.tck.internal;

import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.spi.AwaitOutcome;
import dev.leasehold.lock.spi.ForwardingLeaseStore;
import dev.leasehold.lock.spi.LeaseGrant;
import dev.leasehold.lock.spi.LeaseKey;
import dev.leasehold.lock.spi.LeaseStore;
import dev.leasehold.lock.tck.Faults;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link LeaseStore} wrapper that counts calls and injects faults.
 *
 * <p>This class is thread-safe.
 */
public final class FaultyLeaseStore extends ForwardingLeaseStore implements Faults {

    private volatile boolean failRenewals;
    private volatile boolean down;
    private final AtomicInteger tryAcquireCalls = new AtomicInteger();
    private final AtomicInteger renewCalls = new AtomicInteger();
    private final AtomicInteger renewAllCalls = new AtomicInteger();
    private final AtomicInteger awaitChangeCalls = new AtomicInteger();

    public FaultyLeaseStore(LeaseStore delegate) {
        super(delegate);
    }

    @Override
    public Optional<LeaseGrant> tryAcquire(String name, String owner, Duration leaseTime) throws SQLException {
        tryAcquireCalls.incrementAndGet();
        failIfDown();
        return super.tryAcquire(name, owner, leaseTime);
    }

    @Override
    public Optional<Instant> renew(String name, String owner, long token, Duration leaseTime) throws SQLException {
        renewCalls.incrementAndGet();
        failIfDown();
        failIfAsked();
        return super.renew(name, owner, token, leaseTime);
    }

    @Override
    public Map<String, Instant> renewAll(String owner, Collection<LeaseKey> leases, Duration leaseTime)
            throws SQLException {
        renewAllCalls.incrementAndGet();
        failIfDown();
        failIfAsked();
        return super.renewAll(owner, leases, leaseTime);
    }

    @Override
    public boolean release(String name, String owner, long token) throws SQLException {
        failIfDown();
        return super.release(name, owner, token);
    }

    @Override
    public Optional<LockInfo> inspect(String name) throws SQLException {
        failIfDown();
        return super.inspect(name);
    }

    /**
     * Makes every call fail as a database that is down does (SQLState 08001, connection refused), or ends that. For
     * {@link dev.leasehold.lock.tck.LeaseStoreFixture#simulateRestart}.
     */
    public void down(boolean down) {
        this.down = down;
    }

    private void failIfDown() throws SQLException {
        if (down) {
            throw new SQLTransientConnectionException("injected by the TCK: the database is restarting", "08001");
        }
    }

    private void failIfAsked() throws SQLException {
        if (failRenewals) {
            throw new SQLTransientConnectionException("injected by the TCK: connection lost", "08006");
        }
    }

    @Override
    public AwaitOutcome awaitChange(String name, Duration maxWait) throws InterruptedException, SQLException {
        awaitChangeCalls.incrementAndGet();
        failIfDown();
        return super.awaitChange(name, maxWait);
    }

    @Override
    public void failRenewals() {
        failRenewals = true;
    }

    @Override
    public void heal() {
        failRenewals = false;
    }

    @Override
    public int tryAcquireCalls() {
        return tryAcquireCalls.get();
    }

    @Override
    public int renewAllCalls() {
        return renewAllCalls.get();
    }

    @Override
    public int renewCalls() {
        return renewCalls.get();
    }

    @Override
    public int awaitChangeCalls() {
        return awaitChangeCalls.get();
    }
}
