package dev.leasehold.lock.jdbc.internal;

import dev.leasehold.lock.jdbc.JdbcDialect;
import dev.leasehold.lock.spi.LeaseGrant;
import dev.leasehold.lock.spi.LeaseKey;
import dev.leasehold.lock.spi.SqlFailures;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.StatementException;

/**
 * The lease table on H2 2.x. H2 has no {@code ON CONFLICT}, but returns the rows a statement changed through {@code
 * FINAL TABLE (…)}, so acquire, renew and release are one statement each; a name never seen takes a second statement,
 * an {@code INSERT} whose duplicate-key failure means "held", on the same connection.
 *
 * <p>H2 keeps its lock timeout per session only ({@code SET LOCK_TIMEOUT}), so a statement that takes row locks runs
 * with the session's timeout set to {@code rowLockTimeout} and put back to what it was right after, on the same
 * connection: the application's own use of that connection keeps its setting.
 *
 * <p>This class is thread-safe.
 */
final class H2LeaseStore extends JdbcLeaseStore {

    private static final int BATCH = 1_000;

    private final String update;
    private final String insert;
    private final String renew;

    private final long lockWaitMillis;

    H2LeaseStore(OwnConnections connections, String table, Duration rowLockTimeout) {
        super(connections, JdbcDialect.H2, table, rowLockTimeout);
        this.lockWaitMillis = Math.max(1, rowLockTimeout.toMillis());
        String expiry = nowPlusMicros();
        this.update = "SELECT token, expires_at FROM FINAL TABLE (UPDATE " + table + " SET owner_id = :owner,"
                + " token = token + 1, acquired_at = CURRENT_TIMESTAMP(6), expires_at = " + expiry
                + " WHERE lock_name = :name AND (owner_id IS NULL OR expires_at <= CURRENT_TIMESTAMP(6)))";
        this.insert = "SELECT token, expires_at FROM FINAL TABLE (INSERT INTO " + table
                + " (lock_name, owner_id, token, acquired_at, expires_at)"
                + " VALUES (:name, :owner, 1, CURRENT_TIMESTAMP(6), " + expiry + "))";
        this.renew = "SELECT lock_name, expires_at FROM FINAL TABLE (UPDATE " + table + " SET expires_at = " + expiry
                + " WHERE owner_id = :owner AND expires_at > CURRENT_TIMESTAMP(6) AND ";
    }

    @Override
    protected <T> T write(HandleCallback<T, RuntimeException> work) {
        return connections.withHandle(h -> {
            int previous =
                    h.createQuery("SELECT LOCK_TIMEOUT()").mapTo(Integer.class).one();
            h.execute("SET LOCK_TIMEOUT " + lockWaitMillis);
            T result;
            try {
                result = work.withHandle(h);
            } catch (RuntimeException | Error e) {
                try {
                    h.execute("SET LOCK_TIMEOUT " + previous);
                } catch (RuntimeException restore) {
                    e.addSuppressed(restore);
                }
                throw e;
            }
            h.execute("SET LOCK_TIMEOUT " + previous);
            return result;
        });
    }

    @Override
    protected String now() {
        return "CURRENT_TIMESTAMP(6)";
    }

    @Override
    protected String nowPlusMicros() {
        return "DATEADD(MICROSECOND, CAST(:micros AS BIGINT), CURRENT_TIMESTAMP(6))";
    }

    @Override
    protected Instant instant(ResultSet rs, String column) throws SQLException {
        return rs.getObject(column, OffsetDateTime.class).toInstant();
    }

    @Override
    protected String shareLockClause() {
        return "FOR UPDATE";
    }

    @Override
    public Optional<LeaseGrant> tryAcquire(String name, String owner, Duration leaseTime) {
        boolean known = isKnown(name);
        Optional<LeaseGrant> grant = write(h -> {
            Optional<LeaseGrant> updated = grant(h, update, name, owner, leaseTime);
            if (updated.isPresent() || known) {
                return updated;
            }
            try {
                return grant(h, insert, name, owner, leaseTime);
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

    private Optional<LeaseGrant> grant(Handle h, String sql, String name, String owner, Duration leaseTime) {
        return h.createQuery(sql)
                .bind("name", name)
                .bind("owner", owner)
                .bind("micros", micros(leaseTime))
                .map((rs, ctx) -> new LeaseGrant(rs.getLong("token"), instant(rs, "expires_at")))
                .findOne();
    }

    @Override
    public Optional<Instant> renew(String name, String owner, long token, Duration leaseTime) {
        return Optional.ofNullable(
                renewAll(owner, List.of(new LeaseKey(name, token)), leaseTime).get(name));
    }

    @Override
    public Map<String, Instant> renewAll(String owner, Collection<LeaseKey> leases, Duration leaseTime) {
        Map<String, Instant> renewed = new LinkedHashMap<>();
        inBatches(leases, BATCH, chunk -> {
            String sql = renew + RowValues.inList(chunk.size()) + ")";
            write(h -> {
                Query q = h.createQuery(sql).bind("owner", owner).bind("micros", micros(leaseTime));
                RowValues.bind(q, chunk);
                q.map((rs, ctx) -> Map.entry(rs.getString("lock_name"), instant(rs, "expires_at")))
                        .forEach(e -> renewed.put(e.getKey(), e.getValue()));
                return null;
            });
        });
        return renewed;
    }
}
