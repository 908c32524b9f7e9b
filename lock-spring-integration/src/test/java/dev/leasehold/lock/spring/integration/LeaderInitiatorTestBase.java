package dev.leasehold.lock.spring.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leasehold.lock.core.internal.EngineAccess;
import dev.leasehold.lock.jdbc.JdbcLockManager;
import dev.leasehold.lock.testing.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Spring Integration's own {@code LockRegistryLeaderInitiator} on {@link LeaseholdLockRegistry}: two applications, each
 * with a manager of its own, elect exactly one leader, re-elect when the leader's context closes, and revoke a leader
 * whose lease is lost, so that no leader stays stuck.
 */
abstract class LeaderInitiatorTestBase {

    private static final Duration LEASE = Duration.ofSeconds(2);
    private static final Duration PATIENCE = Duration.ofSeconds(15);

    private final List<Node> nodes = new ArrayList<>();
    private TestDatabase db;
    private String prefix;

    /** The database of the subclass. */
    abstract TestDatabase database();

    @BeforeEach
    void setUp() {
        db = database();
        prefix = db.uniquePrefix("si_leader");
    }

    @AfterEach
    void tearDown() {
        nodes.forEach(Node::close);
        db.dropTablesWithPrefix(prefix);
    }

    @Test
    void twoInitiatorsElectExactlyOneLeader() {
        Node a = node("node-a");
        Node b = node("node-b");

        Node leader = awaitSingleLeader(a, b);

        // It stays the only leader over several of the initiators' heartbeats and the lease's renewals.
        await().during(LEASE)
                .atMost(LEASE.multipliedBy(3))
                .until(() -> leader.isLeader() && !other(leader, a, b).isLeader());
        assertThat(leader.granted).hasValue(1);
        assertThat(leader.revoked).hasValue(0);
        assertThat(other(leader, a, b).granted).hasValue(0);
    }

    @Test
    void closingTheLeadersContextElectsTheOther() {
        Node a = node("node-a");
        Node b = node("node-b");
        Node leader = awaitSingleLeader(a, b);
        Node follower = other(leader, a, b);

        leader.close();

        awaitHandover(leader, follower);
        assertThat(follower.granted).hasValue(1);
    }

    @Test
    void aLeaseFreedByAnAdministratorRevokesLeadership() {
        Node a = node("node-a");
        Node b = node("node-b");
        Node leader = awaitSingleLeader(a, b);

        Optional<dev.leasehold.lock.LockInfo> freed =
                ((JdbcLockManager) other(leader, a, b).manager).forceRelease(Node.ROLE);
        assertThat(freed).hasValueSatisfying(info -> assertThat(info.ownerId()).isEqualTo(leader.id));

        // The leader learns of the loss at its next renewal and the initiator's next tryLock reports it.
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(leader.revoked).hasValue(1));
        Node next = awaitSingleLeader(a, b);
        assertThat(next.granted).hasValue(next == leader ? 2 : 1);
    }

    @Test
    void aCrashedLeadersLeaseExpiresAndTheOtherIsElected() {
        Node a = node("node-a");
        Node b = node("node-b");
        Node leader = awaitSingleLeader(a, b);
        Node follower = other(leader, a, b);

        // The process is gone without releasing: the lease stays in the table until it expires.
        EngineAccess.abandon(leader.manager);

        awaitHandover(leader, follower);
    }

    private Node node(String id) {
        Node node = new Node(id, db.dataSource(), prefix, LEASE);
        nodes.add(node);
        return node;
    }

    private static Node awaitSingleLeader(Node a, Node b) {
        await().atMost(PATIENCE).until(() -> a.isLeader() ^ b.isLeader());
        assertThat(a.isLeader() && b.isLeader()).as("both are leaders").isFalse();
        return a.isLeader() ? a : b;
    }

    /** Waits until {@code leader} is revoked once and {@code follower} leads in its place. */
    private static void awaitHandover(Node leader, Node follower) {
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(leader.revoked).hasValue(1));
        await().atMost(PATIENCE).until(follower::isLeader);
        assertThat(leader.isLeader()).isFalse();
    }

    private static Node other(Node node, Node a, Node b) {
        return node == a ? b : a;
    }
}
