package dev.leasehold.lock.jpa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockAlreadyHeldException;
import dev.leasehold.lock.testing.DatabaseKind;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** In-transaction locks: NOWAIT, SKIP LOCKED and timeouts against a row another transaction holds, on each database. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RowLocksTest {

    private final TestEnv.PerKind envs = new TestEnv.PerKind("row_locks");

    @AfterAll
    void close() {
        envs.close();
    }

    private static String name() {
        return "row-" + UUID.randomUUID();
    }

    private static long millisSince(long start) {
        return Duration.ofNanos(System.nanoTime() - start).toMillis();
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void nowaitAgainstAHeldRowFailsAtOnceWithTheLibrarysException(DatabaseKind kind) {
        TestEnv env = envs.get(kind);
        JpaRowLocks locks = JpaRowLocks.of(env.emf);
        String name = name();
        EntityManager holder = env.begin();
        EntityManager other = env.begin();
        try {
            assertThat(locks.lock(holder, name, Wait.NOWAIT)).isPresent();
            long start = System.nanoTime();
            assertThatThrownBy(() -> locks.lock(other, name, Wait.NOWAIT))
                    .isInstanceOf(LockAlreadyHeldException.class)
                    .hasMessageContaining(name)
                    .hasMessageContaining("roll this transaction back");
            assertThat(millisSince(start)).isLessThan(env.slack().toMillis());
            assertThat(other.getTransaction().getRollbackOnly()).isTrue();
        } finally {
            TestEnv.end(other);
            TestEnv.end(holder);
        }
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void aZeroTimeoutMeansDoNotWaitNeverWaitForever(DatabaseKind kind) {
        TestEnv env = envs.get(kind);
        JpaRowLocks locks = JpaRowLocks.of(env.emf);
        String name = name();
        assertThat(Wait.timeout(Duration.ZERO)).isEqualTo(Wait.NOWAIT);
        EntityManager holder = env.begin();
        EntityManager other = env.begin();
        try {
            locks.lock(holder, name, Wait.NOWAIT);
            long start = System.nanoTime();
            assertThatThrownBy(() -> locks.lock(other, name, Wait.timeout(Duration.ZERO)))
                    .isInstanceOf(LockAlreadyHeldException.class);
            assertThat(millisSince(start)).isLessThan(env.slack().toMillis());
        } finally {
            TestEnv.end(other);
            TestEnv.end(holder);
        }
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void skipLockedReturnsEmptyAndLeavesTheTransactionUsable(DatabaseKind kind) {
        TestEnv env = envs.get(kind);
        JpaRowLocks locks = JpaRowLocks.of(env.emf);
        String name = name();
        EntityManager holder = env.begin();
        EntityManager other = env.begin();
        try {
            locks.lock(holder, name, Wait.NOWAIT);
            long start = System.nanoTime();
            assertThat(locks.lock(other, name, Wait.SKIP_LOCKED)).isEmpty();
            assertThat(millisSince(start)).isLessThan(env.slack().toMillis());
            assertThat(other.getTransaction().getRollbackOnly()).isFalse();
            // A name next to the skipped row: on MariaDB the SKIP LOCKED read gap-locked where its first row goes.
            long next = System.nanoTime();
            assertThat(locks.lock(other, name + "-free", Wait.SKIP_LOCKED)).isPresent();
            assertThat(locks.lock(other, name + "-free-too", Wait.NOWAIT)).isPresent();
            assertThat(millisSince(next)).isLessThan(env.slack().toMillis());
            other.getTransaction().commit();
        } finally {
            TestEnv.end(other);
            TestEnv.end(holder);
        }
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void aTimeoutWaitsAboutThatLongThenFails(DatabaseKind kind) {
        TestEnv env = envs.get(kind);
        JpaRowLocks locks = JpaRowLocks.of(env.emf);
        String name = name();
        Duration timeout = Duration.ofSeconds(1); // MariaDB waits in whole seconds
        EntityManager holder = env.begin();
        EntityManager other = env.begin();
        try {
            locks.lock(holder, name, Wait.NOWAIT);
            long start = System.nanoTime();
            assertThatThrownBy(() -> locks.lock(other, name, Wait.timeout(timeout)))
                    .isInstanceOf(LockAlreadyHeldException.class)
                    .hasMessageContaining("waited PT1S");
            long waited = millisSince(start);
            assertThat(waited)
                    .isBetween(
                            timeout.toMillis() - 50, timeout.plus(env.slack()).toMillis());
            assertThat(other.getTransaction().getRollbackOnly()).isTrue();
        } finally {
            TestEnv.end(other);
            TestEnv.end(holder);
        }
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void aTimeoutIsEnoughWhenTheHolderEndsInTime(DatabaseKind kind) throws Exception {
        TestEnv env = envs.get(kind);
        JpaRowLocks locks = JpaRowLocks.of(env.emf);
        String name = name();
        EntityManager holder = env.begin();
        EntityManager other = env.begin();
        try {
            locks.lock(holder, name, Wait.NOWAIT);
            Thread committer = new Thread(() -> {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                holder.getTransaction().commit();
            });
            committer.start();
            assertThat(locks.lock(other, name, Wait.timeout(Duration.ofSeconds(5))))
                    .isPresent();
            committer.join();
            other.getTransaction().commit();
        } finally {
            TestEnv.end(other);
            TestEnv.end(holder);
        }
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void theLockIsReleasedAtRollbackAndAtCommit(DatabaseKind kind) {
        TestEnv env = envs.get(kind);
        JpaRowLocks locks = JpaRowLocks.of(env.emf);
        String name = name();
        EntityManager first = env.begin();
        locks.lock(first, name, Wait.NOWAIT);
        first.getTransaction().rollback();
        first.close();
        EntityManager second = env.begin();
        assertThat(locks.lock(second, name, Wait.NOWAIT)).isPresent();
        second.getTransaction().commit();
        second.close();
        EntityManager third = env.begin();
        try {
            assertThat(locks.lock(third, name, Wait.NOWAIT)).isPresent();
        } finally {
            TestEnv.end(third);
        }
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void aLeaseAndARowLockOfOneNameExcludeEachOther(DatabaseKind kind) {
        TestEnv env = envs.get(kind);
        JpaLockManager manager = env.manager();
        JpaRowLocks locks = manager.rowLocks();
        String name = name();
        Lease lease = manager.lock(name).tryAcquire().orElseThrow();
        EntityManager em = env.begin();
        try {
            assertThat(locks.lock(em, name, Wait.SKIP_LOCKED)).isEmpty();
            assertThatThrownBy(() -> locks.lock(em, name, Wait.NOWAIT))
                    .isInstanceOfSatisfying(
                            LockAlreadyHeldException.class,
                            e -> assertThat(e.holder()).map(h -> h.ownerId()).contains(manager.ownerId()));
        } finally {
            TestEnv.end(em);
        }
        lease.release();
        EntityManager holder = env.begin();
        try {
            assertThat(locks.lock(holder, name, Wait.NOWAIT)).isPresent();
            assertThat(manager.lock(name).tryAcquire()).isEmpty();
            holder.getTransaction().commit();
            Optional<Lease> after = manager.lock(name).tryAcquire();
            assertThat(after).isPresent();
            assertThat(after.get().token()).isGreaterThan(lease.token());
            after.get().release();
        } finally {
            TestEnv.end(holder);
        }
    }

    @ParameterizedTest
    @EnumSource(value = DatabaseKind.class, names = "POSTGRESQL")
    void aTimedLockLeavesTheTransactionsLockTimeoutAsItWas(DatabaseKind kind) {
        TestEnv env = envs.get(kind);
        JpaRowLocks locks = JpaRowLocks.of(env.emf);
        EntityManager em = env.begin();
        try {
            em.createNativeQuery("SET LOCAL lock_timeout = '7s'").executeUpdate();
            assertThat(locks.lock(em, name(), Wait.timeout(Duration.ofMillis(1500))))
                    .isPresent();
            Object after = em.createNativeQuery("SELECT current_setting('lock_timeout')")
                    .getSingleResult();
            assertThat(after).isEqualTo("7s");
        } finally {
            TestEnv.end(em);
        }
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void aRowLockNeedsATransaction(DatabaseKind kind) {
        TestEnv env = envs.get(kind);
        JpaRowLocks locks = JpaRowLocks.of(env.emf);
        EntityManager em = env.emf.createEntityManager();
        try {
            int before = env.statements.get();
            assertThatThrownBy(() -> locks.lock(em, name(), Wait.NOWAIT))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("inside the transaction");
            assertThat(env.statements.get()).isEqualTo(before);
        } finally {
            em.close();
        }
    }
}
