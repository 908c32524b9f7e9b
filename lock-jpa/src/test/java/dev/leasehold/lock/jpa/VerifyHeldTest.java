package dev.leasehold.lock.jpa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockExpiredException;
import dev.leasehold.lock.tck.Crashes;
import dev.leasehold.lock.testing.DatabaseKind;
import jakarta.persistence.EntityManager;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The transactional check (DESIGN.md semantics 7) for an EntityManager, on each database. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VerifyHeldTest {

    private final TestEnv.PerKind envs = new TestEnv.PerKind("verify_held", Invoice.class);

    @AfterAll
    void close() {
        envs.close();
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void aHeldLeaseVerifiesAndBlocksATakeoverUntilTheTransactionEnds(DatabaseKind kind) {
        TestEnv env = envs.get(kind);
        JpaLockManager holder = env.manager();
        JpaLockManager other = env.manager();
        String name = "verify-" + UUID.randomUUID();
        Lease lease = holder.lock(name).tryAcquire().orElseThrow();
        EntityManager em = env.begin();
        try {
            holder.verifyHeld(em, lease);
            assertThat(em.getTransaction().getRollbackOnly()).isFalse();
            assertThat(other.lock(name).tryAcquire()).isEmpty();
            em.getTransaction().commit();
        } finally {
            TestEnv.end(em);
        }
        lease.release();
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void aLeaseTakenOverFailsTheCheckAndTheTransaction(DatabaseKind kind) {
        TestEnv env = envs.get(kind);
        JpaLockManager holder = env.manager();
        JpaLockManager other = env.manager();
        String name = "verify-lost-" + UUID.randomUUID();
        Lease lease = holder.lock(name).tryAcquire().orElseThrow();
        Crashes.abandon(holder);
        Lease taken = other.lock(name).acquire(env.times.leaseTime().plus(env.slack()));
        EntityManager em = env.begin();
        try {
            assertThatThrownBy(() -> holder.verifyHeld(em, lease))
                    .isInstanceOfSatisfying(LockExpiredException.class, e -> {
                        assertThat(e.lockName()).contains(name);
                        assertThat(e.token()).isEqualTo(lease.token());
                    });
            assertThat(em.getTransaction().getRollbackOnly()).isTrue();
        } finally {
            TestEnv.end(em);
        }
        taken.release();
    }
}
