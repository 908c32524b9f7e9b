package dev.leasehold.lock.jpa.internal;

import jakarta.persistence.CacheRetrieveMode;
import jakarta.persistence.CacheStoreMode;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.EntityTransaction;
import java.sql.SQLException;

/**
 * Runs work in a short resource-local transaction of its own: a new EntityManager, begin, the work, commit (or
 * rollback when the work marked the transaction rollback-only), close. Whatever happens, the transaction is over and
 * the EntityManager closed when {@link #run} returns, so no connection or transaction is held between operations. A
 * failure rolls back, and a failure of the rollback itself is kept as a suppressed exception.
 *
 * <p>The second-level cache is bypassed both ways: lease rows are always read from the database.
 *
 * <p>This class is thread-safe.
 */
public final class Tx {

    /** Work inside the transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T run(EntityManager em) throws SQLException;
    }

    private Tx() {}

    /** Runs {@code work} in a transaction of its own and commits unless it marked the transaction rollback-only. */
    public static <T> T run(EntityManagerFactory emf, Work<T> work) throws SQLException {
        EntityManager em = emf.createEntityManager();
        try {
            em.setCacheRetrieveMode(CacheRetrieveMode.BYPASS);
            em.setCacheStoreMode(CacheStoreMode.BYPASS);
            EntityTransaction tx = em.getTransaction();
            tx.begin();
            try {
                T result = work.run(em);
                if (tx.getRollbackOnly()) {
                    tx.rollback();
                } else {
                    tx.commit();
                }
                return result;
            } catch (SQLException | RuntimeException | Error e) {
                rollbackQuietly(tx, e);
                throw e;
            }
        } finally {
            em.close();
        }
    }

    /** Marks the current transaction of {@code em} rollback-only: the work's outcome is "nothing to change". */
    public static void rollbackOnly(EntityManager em) {
        em.getTransaction().setRollbackOnly();
    }

    private static void rollbackQuietly(EntityTransaction tx, Throwable failure) {
        try {
            if (tx.isActive()) {
                tx.rollback();
            }
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }
}
