package dev.leasehold.lock.jpa.internal;

import dev.leasehold.lock.table.internal.LeaseStatements;
import jakarta.persistence.EntityManager;
import jakarta.persistence.FlushModeType;
import jakarta.persistence.Query;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One batch of the purge of idle names, with the lease table's native statements ({@code lock-jdbc}'s README describes
 * the token floor that keeps tokens from going back).
 *
 * <p>This class is thread-safe: it has no state.
 */
final class IdlePurge {

    private IdlePurge() {}

    /**
     * One batch in the transaction of {@code em}, its lock waits bounded by {@code lockWait}: lock the token floor's
     * row (putting it back if it was deleted by hand), read up to a batch of rows idle since {@code since} (database
     * microseconds relative to now), raise the floor to their largest token, and delete those still idle with a token
     * at most the floor.
     *
     * @return the rows read and the rows deleted
     */
    static long[] batch(EntityManager em, LeaseStatements sql, Duration lockWait, long since) {
        Optional<String> bound = sql.boundTransactionWaits(lockWait);
        if (bound.isPresent()) {
            em.createNativeQuery(bound.get()).executeUpdate();
        }
        List<?> floorRow = nativeQuery(em, sql.lockFloor()).getResultList();
        if (floorRow.isEmpty()) {
            nativeQuery(em, sql.ensureFloor()).executeUpdate();
            floorRow = nativeQuery(em, sql.lockFloor()).getResultList();
        }
        long floor = floorRow.isEmpty() ? 0 : ((Number) floorRow.get(0)).longValue();
        List<?> idle = nativeQuery(em, sql.idleBatch()).setParameter(1, since).getResultList();
        if (idle.isEmpty()) {
            return new long[] {0, 0};
        }
        long raised = floor;
        for (Object row : idle) {
            raised = Math.max(raised, ((Number) ((Object[]) row)[1]).longValue());
        }
        if (raised > floor) {
            nativeQuery(em, sql.raiseFloor()).setParameter(1, raised).executeUpdate();
        }
        Query delete = nativeQuery(em, sql.deleteIdle(idle.size()))
                .setParameter(1, since)
                .setParameter(2, raised);
        for (int i = 0; i < idle.size(); i++) {
            delete.setParameter(3 + i, (String) ((Object[]) idle.get(i))[0]);
        }
        return new long[] {idle.size(), delete.executeUpdate()};
    }

    private static Query nativeQuery(EntityManager em, String statement) {
        return em.createNativeQuery(statement).setFlushMode(FlushModeType.COMMIT);
    }
}
