package dev.leasehold.lock.jdbc.internal;

import dev.leasehold.lock.jdbc.JdbcDialect;
import dev.leasehold.lock.spi.LeaseGrant;
import dev.leasehold.lock.spi.LeaseKey;
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
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.StatementException;

/**
 * The lease table on H2 2.x. H2 has no {@code ON CONFLICT}, but returns the rows a statement changed through {@code
 * FINAL TABLE (…)}, so acquire, renew and release are one statement each; a name never seen takes a second statement,
 * an {@code INSERT} whose duplicate-key failure means "held".
 *
 * <p>This class is thread-safe.
 */
final class H2LeaseStore extends JdbcLeaseStore {

    private static final int BATCH = 1_000;

    private final String update;
    private final String insert;
    private final String renew;

    H2LeaseStore(Jdbi jdbi, String table) {
        super(jdbi, JdbcDialect.H2, table);
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
        Optional<LeaseGrant> grant = grant(update, name, owner, leaseTime);
        if (grant.isPresent() || isKnown(name)) {
            markKnown(name);
            return grant;
        }
        try {
            grant = grant(insert, name, owner, leaseTime);
        } catch (StatementException e) {
            if (!isDuplicateKey(e)) {
                throw e;
            }
        }
        markKnown(name);
        return grant;
    }

    private Optional<LeaseGrant> grant(String sql, String name, String owner, Duration leaseTime) {
        return jdbi.withHandle(h -> h.createQuery(sql)
                .bind("name", name)
                .bind("owner", owner)
                .bind("micros", micros(leaseTime))
                .map((rs, ctx) -> new LeaseGrant(rs.getLong("token"), instant(rs, "expires_at")))
                .findOne());
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
            jdbi.useHandle(h -> {
                Query q = h.createQuery(sql).bind("owner", owner).bind("micros", micros(leaseTime));
                RowValues.bind(q, chunk);
                q.map((rs, ctx) -> Map.entry(rs.getString("lock_name"), instant(rs, "expires_at")))
                        .forEach(e -> renewed.put(e.getKey(), e.getValue()));
            });
        });
        return renewed;
    }
}
