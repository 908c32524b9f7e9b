package dev.leasehold.lock.spring.integration;

import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.Locks;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.integration.leader.Candidate;
import org.springframework.integration.leader.Context;
import org.springframework.integration.support.leader.LockRegistryLeaderInitiator;

/**
 * One application of a leader-election test: a Spring context with its own {@link LockManager} (as a separate process
 * would have), a {@link LeaseholdLockRegistry} over it and a started {@link LockRegistryLeaderInitiator} whose
 * candidate records what it is told.
 */
final class Node implements Candidate, AutoCloseable {

    static final String ROLE = "cluster-leader";

    final String id;
    final GenericApplicationContext context = new GenericApplicationContext();
    final LockManager manager;
    final LeaseholdLockRegistry registry;
    final LockRegistryLeaderInitiator initiator;
    final AtomicInteger granted = new AtomicInteger();
    final AtomicInteger revoked = new AtomicInteger();
    private volatile boolean leader;

    Node(String id, DataSource dataSource, String tablePrefix, Duration leaseTime) {
        this.id = id;
        this.manager = Locks.builder()
                .dataSource(dataSource)
                .tablePrefix(tablePrefix)
                .leaseTime(leaseTime)
                .ownerId(id)
                .build();
        this.registry = new LeaseholdLockRegistry(manager);
        this.initiator = new LockRegistryLeaderInitiator(registry, this);
        // Polls quickly so that the tests run in about a lease time, not in Spring's default half second per beat.
        initiator.setHeartBeatMillis(100);
        initiator.setBusyWaitMillis(50);
        context.registerBean("lockManager", LockManager.class, () -> manager, bd -> bd.setDestroyMethodName("close"));
        context.registerBean("lockRegistry", LeaseholdLockRegistry.class, () -> registry);
        context.registerBean("leaderInitiator", LockRegistryLeaderInitiator.class, () -> initiator);
        context.refresh();
    }

    boolean isLeader() {
        return leader;
    }

    @Override
    public String getRole() {
        return ROLE;
    }

    @Override
    public String getId() {
        return id;
    }

    @Override
    public void onGranted(Context ctx) {
        leader = true;
        granted.incrementAndGet();
    }

    @Override
    public void onRevoked(Context ctx) {
        leader = false;
        revoked.incrementAndGet();
    }

    /** Closes the context: the initiator stops (revoking leadership), then the manager closes. */
    @Override
    public void close() {
        context.close();
    }

    @Override
    public String toString() {
        return id + (leader ? " (leader)" : "");
    }
}
