package dev.leasehold.lock.jpa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leasehold.lock.jpa.internal.JpaLeaseStore;
import dev.leasehold.lock.spi.LeaseGrant;
import dev.leasehold.lock.testing.DatabaseKind;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * MariaDB waits for row locks in whole seconds, so an acquire with a row lock timeout under a second cannot wait for
 * the row at all. A try that sees the lease free and then meets the row locked (most often a release or renewal
 * committing at that moment) must not answer "held" at once: it tries again for up to the timeout. Before this, a
 * manager's try right after another's release on MariaDB could fail this way (TCK R5.6 did, once).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MariaDbBusyRowTest {

    private static final Duration LEASE = Duration.ofSeconds(30);

    private final TestEnv env = TestEnv.open(DatabaseKind.MARIADB, "busyrow");

    @AfterAll
    void close() {
        env.close();
    }

    @Test
    void aTryThatMeetsTheFreeRowLockedForAMomentGetsTheLeaseWhenItIsUnlocked() throws Exception {
        JpaLeaseStore store = store(Duration.ofMillis(999));
        String name = "busy-moment";
        long released = freeRow(store, name);
        EntityManager busy = lockRow(name);
        CompletableFuture<Optional<LeaseGrant>> taking;
        try {
            env.statements.set(0);
            taking = CompletableFuture.supplyAsync(() -> tryAcquire(store, name));
            // The look, then at least two attempts at the locked row: the try met the lock and did not give up.
            await().atMost(Duration.ofSeconds(10)).until(() -> env.statements.get() >= 3 || taking.isDone());
            assertThat(taking).as("a try still trying while the row is locked").isNotDone();
        } finally {
            busy.getTransaction().commit();
            busy.close();
        }
        Optional<LeaseGrant> grant = taking.get();
        assertThat(grant).as("the grant once the row was unlocked").isPresent();
        assertThat(grant.get().token()).isEqualTo(released + 1);
        store.close();
    }

    @Test
    void aTryThatMeetsTheRowLockedForLongerThanTheTimeoutAnswersHeldAndChangesNothing() throws Exception {
        JpaLeaseStore store = store(Duration.ofMillis(200));
        String name = "busy-long";
        long released = freeRow(store, name);
        EntityManager busy = lockRow(name);
        try {
            assertThat(tryAcquire(store, name)).isEmpty();
        } finally {
            busy.getTransaction().rollback();
            busy.close();
        }
        LeaseRow row = env.inTransaction(em -> em.find(LeaseRow.class, name));
        assertThat(row.getToken()).isEqualTo(released);
        assertThat(row.getOwnerId()).isNull();
        store.close();
    }

    private JpaLeaseStore store(Duration rowLockTimeout) {
        return JpaLeaseStore.open(
                env.emf, env.settings().rowLockTimeout(rowLockTimeout).build());
    }

    /** Grants and releases {@code name}, so that its row exists and is free; the released token. */
    private static long freeRow(JpaLeaseStore store, String name) throws Exception {
        LeaseGrant first = store.tryAcquire(name, "first", LEASE).orElseThrow();
        assertThat(store.release(name, "first", first.token())).isTrue();
        return first.token();
    }

    /** Another transaction holding the lease row's lock (as a renewal or release does while it commits). */
    private EntityManager lockRow(String name) {
        EntityManager em = env.begin();
        assertThat(em.find(LeaseRow.class, name, LockModeType.PESSIMISTIC_WRITE))
                .isNotNull();
        return em;
    }

    private static Optional<LeaseGrant> tryAcquire(JpaLeaseStore store, String name) {
        try {
            return store.tryAcquire(name, "second", LEASE);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
