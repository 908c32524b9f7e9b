package dev.leasehold.lock.jpa.internal;

import dev.leasehold.lock.jpa.LeaseRow;
import dev.leasehold.lock.jpa.Wait;
import dev.leasehold.lock.spi.SqlFailures;
import dev.leasehold.lock.table.internal.LeaseStatements;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.FlushModeType;
import jakarta.persistence.LockModeType;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The statements the lease store and the in-transaction locks share: the pessimistic read of a lease row, the clock,
 * and the unlocked look at a lease.
 *
 * <p>The row is read with {@link LockModeType#PESSIMISTIC_WRITE} and the lock timeout hint {@value #TIMEOUT_HINT}:
 * {@code 0} for NOWAIT, {@code -2} for SKIP LOCKED (Hibernate's values), the milliseconds otherwise. Hibernate renders
 * NOWAIT and SKIP LOCKED on every supported database and a real timeout on PostgreSQL ({@code SET LOCAL
 * lock_timeout}); on H2 and MariaDB it drops a real timeout, so a native {@code SELECT … FOR UPDATE WAIT n} takes the
 * row lock first and the JPA read that follows finds it already held.
 *
 * <p>Native queries here never flush the persistence context ({@link FlushModeType#COMMIT}), so that they have no
 * side effect on a caller's pending changes.
 *
 * <p>This class is thread-safe.
 */
public final class RowLocking {

    /** The Jakarta Persistence lock timeout hint, in milliseconds. */
    public static final String TIMEOUT_HINT = "jakarta.persistence.lock.timeout";

    /** Hibernate's lock timeout for NOWAIT. */
    static final int NO_WAIT = 0;

    /** Hibernate's lock timeout for SKIP LOCKED. */
    static final int SKIP_LOCKED = -2;

    private RowLocking() {}

    /**
     * Reads the lease row of {@code name} with a pessimistic write lock, waiting as {@code wait} says.
     *
     * @return the row, or null when there is none, or when it is locked and {@code wait} is {@link Wait#SKIP_LOCKED}
     * @throws RuntimeException the provider's exception when the lock is not available (see {@link LockFailures})
     */
    public static LeaseRow lock(EntityManager em, LeaseStatements sql, String name, Wait wait) {
        return switch (wait.kind()) {
            case NOWAIT -> find(em, name, NO_WAIT);
            case SKIP_LOCKED -> find(em, name, SKIP_LOCKED);
            case TIMEOUT -> {
                Duration timeout = wait.timeout().orElseThrow();
                Optional<String> first = sql.lockRowWaiting(timeout);
                if (first.isEmpty()) {
                    yield find(em, name, millis(timeout));
                }
                List<?> locked = em.createNativeQuery(first.get())
                        .setParameter(1, name)
                        .setFlushMode(FlushModeType.COMMIT)
                        .getResultList();
                yield locked.isEmpty() ? null : em.find(LeaseRow.class, name, LockModeType.PESSIMISTIC_WRITE);
            }
        };
    }

    private static LeaseRow find(EntityManager em, String name, int timeoutHint) {
        return em.find(LeaseRow.class, name, LockModeType.PESSIMISTIC_WRITE, Map.of(TIMEOUT_HINT, timeoutHint));
    }

    /** Whole milliseconds, rounded up, at least 1: a lock timeout hint of 0 would mean NOWAIT. */
    static int millis(Duration timeout) {
        long millis = timeout.toMillis();
        if (!timeout.minusMillis(millis).isZero()) {
            millis++;
        }
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, millis));
    }

    /** The database's clock, to the microsecond. */
    public static Instant now(EntityManager em, LeaseStatements sql) {
        Object micros = em.createNativeQuery(sql.clock())
                .setFlushMode(FlushModeType.COMMIT)
                .getSingleResult();
        return Instant.EPOCH.plus(((Number) micros).longValue(), ChronoUnit.MICROS);
    }

    /**
     * Whether a lease holds on {@code name} by the database clock, read without locking: empty when the name has no
     * row yet.
     */
    public static Optional<Boolean> leaseHeld(EntityManager em, LeaseStatements sql, String name) {
        List<?> rows = em.createNativeQuery(sql.status())
                .setParameter(1, name)
                .setFlushMode(FlushModeType.COMMIT)
                .getResultList();
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(((Number) rows.get(0)).intValue() == 1);
    }

    /** {@code leaseTime} to whole microseconds, at least one, as the database keeps times. */
    public static Duration micros(Duration leaseTime) {
        return leaseTime.truncatedTo(ChronoUnit.MICROS).isZero()
                ? Duration.ofNanos(1_000)
                : leaseTime.truncatedTo(ChronoUnit.MICROS);
    }

    /**
     * Inserts a free row for {@code name} unless one exists, its token the table's token floor, in a transaction of its
     * own, waiting at most about
     * {@code maxWait} for locks (another transaction inserting the same name; on MariaDB also a gap lock).
     *
     * @throws RuntimeException the provider's exception when the wait ran out (see {@link LockFailures})
     */
    public static void insertIfAbsent(EntityManagerFactory emf, LeaseStatements sql, String name, Duration maxWait)
            throws SQLException {
        try {
            Tx.run(emf, em -> {
                Optional<String> bound = sql.boundTransactionWaits(maxWait);
                if (bound.isPresent()) {
                    em.createNativeQuery(bound.get()).executeUpdate();
                }
                Optional<String> floor = sql.lockFloorFirst(maxWait);
                if (floor.isPresent()) {
                    em.createNativeQuery(floor.get())
                            .setFlushMode(FlushModeType.COMMIT)
                            .getResultList();
                }
                return insertIfAbsent(em, sql, name, maxWait);
            });
        } catch (RuntimeException e) {
            // H2 only: a concurrent first insert won; its transaction was rolled back, nothing is left aborted.
            if (!SqlFailures.isDuplicateKey(e)) {
                throw e;
            }
        }
    }

    /**
     * Inserts a free row for {@code name} unless one exists, in the transaction of {@code em}; never fails on a
     * duplicate key on PostgreSQL and MariaDB (do not use it on H2 inside a caller's transaction).
     *
     * @return whether a row was inserted (or, on MariaDB, an existing one touched)
     */
    public static int insertIfAbsent(EntityManager em, LeaseStatements sql, String name, Duration maxWait) {
        return em.createNativeQuery(sql.insertFree(maxWait))
                .setParameter(1, name)
                .setFlushMode(FlushModeType.COMMIT)
                .executeUpdate();
    }
}
