package dev.leasehold.lock.jpa;

import dev.leasehold.lock.LockAlreadyHeldException;
import dev.leasehold.lock.LockBackendException;
import dev.leasehold.lock.LockConfigurationException;
import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.internal.Arguments;
import dev.leasehold.lock.jpa.internal.JpaLeaseStore;
import dev.leasehold.lock.jpa.internal.LockFailures;
import dev.leasehold.lock.jpa.internal.RowLocking;
import dev.leasehold.lock.jpa.internal.Setup;
import dev.leasehold.lock.jpa.internal.Tx;
import dev.leasehold.lock.jpa.internal.UnitMapping;
import dev.leasehold.lock.spi.SqlFailures;
import dev.leasehold.lock.table.Dialect;
import dev.leasehold.lock.table.internal.LeaseStatements;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;

/**
 * In-transaction locks: inside the caller's own transaction, lock the lease row of a name with a pessimistic write lock
 * until that transaction commits or rolls back. Nothing is written and nothing needs releasing; the database releases
 * the row lock when the transaction ends, also when the application dies.
 *
 * <pre>{@code
 * JpaRowLocks rowLocks = JpaRowLocks.of(emf);            // or jpaLockManager.rowLocks()
 * em.getTransaction().begin();
 * rowLocks.lock(em, "invoice-42", Wait.NOWAIT);          // throws LockAlreadyHeldException if busy
 * ...                                                    // work while the row is locked
 * em.getTransaction().commit();                          // releases it
 * }</pre>
 *
 * <p>These locks share the lease table, and so the names, with the lease managers of every backend on it: an
 * in-transaction lock is not granted while a lease on the name holds, and no lease is granted while the row is locked
 * (a lease manager's {@code tryAcquire} then answers "held"). Keep such transactions short: a lease operation on a
 * locked row waits for its lock timeout.
 *
 * <p>How it waits ({@link Wait}): {@link Wait#NOWAIT} fails at once, {@link Wait#SKIP_LOCKED} returns empty at once,
 * {@link Wait#timeout(Duration)} waits at most that long (PostgreSQL {@code SET LOCAL lock_timeout} for the statement;
 * H2 and MariaDB {@code FOR UPDATE WAIT}, MariaDB in whole seconds); zero is NOWAIT. On PostgreSQL a
 * pessimistic write lock is {@code FOR NO KEY UPDATE}.
 *
 * <p>After a {@link LockAlreadyHeldException} or {@link LockBackendException} the caller's transaction is marked
 * rollback-only (on PostgreSQL the database has aborted it anyway): roll it back. The first use of a name inserts its
 * free row in a short transaction of its own, so a duplicate key never reaches the caller's transaction.
 *
 * <p>This class is thread-safe; the EntityManager passed in is used on the calling thread only.
 */
public final class JpaRowLocks {

    private final EntityManagerFactory emf;
    private final LeaseStatements sql;

    JpaRowLocks(EntityManagerFactory emf, LeaseStatements sql) {
        this.emf = emf;
        this.sql = sql;
    }

    /**
     * In-transaction locks on the lease table the persistence unit of {@code emf} maps {@link LeaseRow} to, created
     * with the lease table's DDL when it is missing (as a {@link JpaLockManager} does by default).
     *
     * @throws IllegalArgumentException if {@code emf} is null
     * @throws LockConfigurationException if the factory is closed, does not manage {@link LeaseRow}, its database is
     *     not supported, or the table cannot be created or does not fit
     */
    public static JpaRowLocks of(EntityManagerFactory emf) {
        Arguments.notNull(emf, "entityManagerFactory");
        UnitMapping mapping = UnitMapping.of(emf);
        LockSettings.Builder builder = LockSettings.builder().tablePrefix(mapping.tablePrefix());
        mapping.schema().ifPresent(builder::schema);
        LockSettings settings = builder.build();
        Setup.ensure(emf, settings);
        return new JpaRowLocks(emf, mapping.statements(settings.rowLockTimeout()));
    }

    /** The lease table as SQL. */
    public String table() {
        return sql.table();
    }

    /**
     * Locks the lease row of {@code name} inside the transaction {@code em} is joined to, until it ends.
     *
     * @param em an EntityManager of this factory, joined to an active transaction
     * @param name the lock name (the rules of lease names: not blank, at most 255 characters, kept exactly as given)
     * @param wait how to wait when another transaction has locked the row
     * @return the lock; empty only with {@link Wait#SKIP_LOCKED} when the row is locked or a lease on it holds
     * @throws LockAlreadyHeldException with {@link Wait#NOWAIT} or a timeout, when another transaction holds the row
     *     (at once, or after the timeout) or a lease on the name holds; the transaction is then rollback-only
     * @throws LockBackendException when the database fails otherwise; the transaction is then rollback-only
     * @throws IllegalArgumentException if an argument is null or the name is invalid (before any SQL)
     * @throws IllegalStateException if {@code em} is closed or not joined to an active transaction
     */
    public Optional<RowLock> lock(EntityManager em, String name, Wait wait) {
        Arguments.notNull(em, "em");
        Arguments.lockName(name);
        Arguments.notNull(wait, "wait");
        if (!em.isOpen()) {
            throw new IllegalStateException(
                    "the EntityManager is closed: lock rows with an open one, inside its transaction");
        }
        if (!em.isJoinedToTransaction()) {
            throw new IllegalStateException("an in-transaction lock must run inside the transaction it protects:"
                    + " begin one first (em.getTransaction().begin(), or @Transactional)");
        }
        Optional<Boolean> held;
        try {
            // A look without locking, in a transaction of its own: never lock a row whose lease holds.
            held = Tx.run(emf, own -> RowLocking.leaseHeld(own, sql, name));
        } catch (SQLException | RuntimeException e) {
            throw backendFailure(em, name, e);
        }
        if (held.orElse(false)) {
            return leaseHolds(em, name, wait);
        }
        if (held.isEmpty()) {
            Optional<RowLock> busy = insertFirstRow(em, name, wait);
            if (busy != null) {
                return busy;
            }
        }
        LeaseRow row;
        try {
            row = RowLocking.lock(em, sql, name, wait);
        } catch (RuntimeException e) {
            if (LockFailures.isLockNotAvailable(e)) {
                return notAvailable(em, name, wait, e);
            }
            throw backendFailure(em, name, e);
        }
        if (row == null) {
            // SKIP LOCKED found the row locked (a row deleted by hand looks the same).
            return Optional.empty();
        }
        boolean leaseHolds;
        try {
            // Read again with the lock held: the entity may have come from this persistence context, and a plain
            // read may see an old snapshot (MariaDB's REPEATABLE READ).
            em.refresh(row, LockModeType.PESSIMISTIC_WRITE);
            leaseHolds = row.isHeldAt(RowLocking.now(em, sql));
        } catch (RuntimeException e) {
            throw backendFailure(em, name, e);
        }
        if (leaseHolds) {
            // A lease was granted between the look and the lock.
            return leaseHolds(em, name, wait);
        }
        return Optional.of(new RowLock(name, wait));
    }

    /**
     * Inserts the first row of a name in a short transaction of its own, so that a duplicate key can never touch the
     * caller's transaction. On MariaDB a gap lock can block that insert, perhaps one the caller's transaction took
     * itself (a SKIP LOCKED read next to a locked row does, under REPEATABLE READ); the insert then runs inside the
     * caller's transaction, where an insert that ignores duplicates cannot fail on one either.
     *
     * @return null when the row is there, else the answer for a row that is not available
     */
    private Optional<RowLock> insertFirstRow(EntityManager em, String name, Wait wait) {
        Duration maxWait = wait.timeout().orElse(Duration.ZERO);
        try {
            RowLocking.insertIfAbsent(emf, sql, name, maxWait);
            return null;
        } catch (SQLException | RuntimeException e) {
            if (!LockFailures.isLockNotAvailable(e)) {
                throw backendFailure(em, name, e);
            }
            if (sql.dialect() != Dialect.MARIADB) {
                return notAvailable(em, name, wait, e);
            }
        }
        try {
            RowLocking.insertIfAbsent(em, sql, name, maxWait);
            return null;
        } catch (RuntimeException e) {
            if (LockFailures.isLockNotAvailable(e)) {
                return notAvailable(em, name, wait, e);
            }
            throw backendFailure(em, name, e);
        }
    }

    /** The answer when another transaction holds the row: empty for SKIP LOCKED, else the library's exception. */
    private static Optional<RowLock> notAvailable(EntityManager em, String name, Wait wait, Exception failure) {
        if (wait.kind() == Wait.Kind.SKIP_LOCKED) {
            return Optional.empty();
        }
        markRollbackOnly(em);
        LockAlreadyHeldException busy = new LockAlreadyHeldException(
                name,
                null,
                false,
                "lock '" + name + "' is held by another transaction"
                        + (wait.kind() == Wait.Kind.TIMEOUT
                                ? " (waited " + wait.timeout().orElseThrow() + ")"
                                : " (" + wait + ")")
                        + "; roll this transaction back");
        busy.addSuppressed(failure);
        throw busy;
    }

    private Optional<RowLock> leaseHolds(EntityManager em, String name, Wait wait) {
        if (wait.kind() == Wait.Kind.SKIP_LOCKED) {
            return Optional.empty();
        }
        markRollbackOnly(em);
        LockInfo holder = null;
        try {
            holder = new JpaLeaseStore(emf, sql, Duration.ofSeconds(1), Duration.ofSeconds(1))
                    .inspect(name)
                    .orElse(null);
        } catch (SQLException | RuntimeException e) {
            // The holder is only for the message.
        }
        throw new LockAlreadyHeldException(
                name,
                holder,
                false,
                "lock '" + name + "' is held as a lease"
                        + (holder != null ? " by " + holder.ownerId() + " until " + holder.expiresAt() : "")
                        + "; roll this transaction back");
    }

    private static LockBackendException backendFailure(EntityManager em, String name, Exception e) {
        markRollbackOnly(em);
        String state = SqlFailures.sqlState(e).orElse(null);
        return new LockBackendException(
                name,
                state,
                "database failure while locking row '" + name + "' in the caller's transaction"
                        + (state != null ? " (SQLState " + state + ")" : "") + ": " + e
                        + "; roll this transaction back",
                e);
    }

    private static void markRollbackOnly(EntityManager em) {
        try {
            if (em.isOpen() && em.isJoinedToTransaction()) {
                em.getTransaction().setRollbackOnly();
            }
        } catch (IllegalStateException | PersistenceException e) {
            // JTA: the container's transaction; the exception itself tells the caller to roll back.
        }
    }

    @Override
    public String toString() {
        return "JpaRowLocks[" + sql.table() + "]";
    }

    /**
     * A row lock held until the end of the transaction that took it.
     *
     * @param name the lock name
     * @param policy how it was waited for
     */
    public record RowLock(String name, Wait policy) {}
}
