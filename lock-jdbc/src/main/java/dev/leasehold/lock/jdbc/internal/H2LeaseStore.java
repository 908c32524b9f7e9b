package dev.leasehold.lock.jdbc.internal;

import dev.leasehold.lock.spi.LeaseGrant;
import dev.leasehold.lock.spi.LeaseKey;
import dev.leasehold.lock.spi.SqlFailures;
import dev.leasehold.lock.table.internal.H2Statements;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.statement.StatementException;

/**
 * The lease table on H2 2.x ({@link H2Statements}): acquire, renew and release are one statement each; a name never
 * seen takes a second statement on the same connection, an {@code INSERT} whose duplicate-key failure means "held".
 *
 * <p>H2 keeps its lock timeout per session only ({@code SET LOCK_TIMEOUT}), so a statement that takes row locks runs
 * with the session's timeout set to {@code rowLockTimeout} and put back to what it was right after, on the same
 * connection: the application's own use of that connection keeps its setting.
 *
 * <p>This class is thread-safe.
 */
final class H2LeaseStore extends JdbcLeaseStore {

    private static final int BATCH = 1_000;

    private final H2Statements sql;
    private final long lockWaitMillis;

    H2LeaseStore(OwnHandles handles, H2Statements sql, Duration rowLockTimeout) {
        super(handles, sql);
        this.sql = sql;
        this.lockWaitMillis = Math.max(1, rowLockTimeout.toMillis());
    }

    @Override
    protected <T> T write(HandleCallback<T, RuntimeException> work) {
        return handles.withHandle(h -> {
            int previous = h.createQuery(sql.lockTimeout()).mapTo(Integer.class).one();
            h.execute(sql.setLockTimeout(lockWaitMillis));
            T result;
            try {
                result = work.withHandle(h);
            } catch (RuntimeException | Error e) {
                try {
                    h.execute(sql.setLockTimeout(previous));
                } catch (RuntimeException restore) {
                    e.addSuppressed(restore);
                }
                throw e;
            }
            h.execute(sql.setLockTimeout(previous));
            return result;
        });
    }

    /**
     * The conditional {@code UPDATE}; when it grants nothing, a look at whether the row exists; only when it does not
     * (a name never seen, or purged) the insert, in a transaction that first locks the token floor's row, since H2 has
     * no share lock to read it with. A held lock thus never touches the floor.
     */
    @Override
    public Optional<LeaseGrant> tryAcquire(String name, String owner, Duration leaseTime) {
        long micros = micros(leaseTime);
        Optional<LeaseGrant> grant = write(h -> {
            Optional<LeaseGrant> updated = bind(h.createQuery(sql.acquireKnown()), owner, micros, name)
                    .map((rs, ctx) -> new LeaseGrant(rs.getLong(1), instant(rs, 2), instant(rs, 3)))
                    .findOne();
            if (updated.isPresent() || rowExists(h, name)) {
                return updated;
            }
            try {
                return h.inTransaction(tx -> {
                    tx.createQuery(sql.lockFloor()).mapTo(Long.class).findOne();
                    return bind(tx.createQuery(sql.acquireNew()), name, owner, micros)
                            .map((rs, ctx) -> new LeaseGrant(rs.getLong(1), instant(rs, 2), instant(rs, 3)))
                            .findOne();
                });
            } catch (StatementException e) {
                if (!SqlFailures.isDuplicateKey(e)) {
                    throw e;
                }
                return Optional.empty();
            }
        });
        markKnown(name);
        return grant;
    }

    @Override
    public Map<String, Instant> renewAll(String owner, Collection<LeaseKey> leases, Duration leaseTime) {
        Map<String, Instant> renewed = new LinkedHashMap<>();
        inBatches(
                leases,
                BATCH,
                chunk -> write(h -> {
                    bindLeases(bind(h.createQuery(sql.renewAll(chunk.size())), micros(leaseTime), owner), 2, chunk)
                            .map((rs, ctx) -> Map.entry(rs.getString(1), instant(rs, 2)))
                            .forEach(e -> renewed.put(e.getKey(), e.getValue()));
                    return null;
                }));
        return renewed;
    }
}
