package dev.leasehold.lock.jdbc.internal;

import dev.leasehold.lock.jdbc.JdbcDialect;
import dev.leasehold.lock.spi.LeaseGrant;
import dev.leasehold.lock.spi.LeaseKey;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.Update;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lease table on MariaDB and MySQL, in UTC ({@code UTC_TIMESTAMP(6)}, {@code DATETIME(6)}). Neither has {@code
 * UPDATE … RETURNING}, so a grant or renewal is a conditional write followed by a read of the row it wrote, on the same
 * connection: two round trips. The read is exact because nobody can take an unexpired lease over, and a lease not
 * renewed by the write has expired by the time of the read. A name never seen takes an {@code INSERT IGNORE}, which
 * reports a duplicate as zero rows instead of an error.
 *
 * <p>Statements that take row locks run as {@code SET STATEMENT innodb_lock_wait_timeout = n FOR …}, which bounds their
 * wait for a row another transaction holds and ends with the statement. MariaDB counts that wait in whole seconds: an
 * acquire rounds {@code rowLockTimeout} down (the default 100 ms means "do not wait": a row another transaction holds
 * means the lock is being taken, released or renewed right now, and a try reports it held at once), while a renewal or
 * release, which must not fail because a contender's statement touched the row for a moment, rounds it up to at least
 * one second. MySQL has no {@code SET STATEMENT}: there the server's {@code innodb_lock_wait_timeout} applies (default
 * 50 s), and a warning says so when the store opens.
 *
 * <p>This class is thread-safe.
 */
final class MariaDbLeaseStore extends JdbcLeaseStore {

    private static final Logger LOG = LoggerFactory.getLogger(MariaDbLeaseStore.class);

    private static final int BATCH = 1_000;

    private final String update;
    private final String insert;
    private final String readGrant;
    private final String renew;
    private final String readRenewed;

    private final String tryPrefix;
    private final String holderPrefix;

    MariaDbLeaseStore(OwnConnections connections, String table, Duration rowLockTimeout, String product) {
        super(connections, JdbcDialect.MARIADB, table, rowLockTimeout);
        boolean mariaDb = product.toLowerCase(Locale.ROOT).contains("mariadb");
        long roundedDown = rowLockTimeout.toSeconds();
        long roundedUp = Math.max(1, (rowLockTimeout.toMillis() + 999) / 1000);
        this.tryPrefix = mariaDb ? "SET STATEMENT innodb_lock_wait_timeout = " + roundedDown + " FOR " : "";
        this.holderPrefix = mariaDb ? "SET STATEMENT innodb_lock_wait_timeout = " + roundedUp + " FOR " : "";
        if (!mariaDb) {
            LOG.warn(
                    "{} cannot bound one statement's row-lock wait: Leasehold's statements on {} wait as long as the"
                            + " server's innodb_lock_wait_timeout says; set it low for the connections you give"
                            + " Leasehold",
                    product,
                    table);
        }
        String expiry = nowPlusMicros();
        this.update = tryPrefix
                + ("UPDATE " + table + " SET owner_id = :owner, token = token + 1, acquired_at = UTC_TIMESTAMP(6),"
                        + " expires_at = " + expiry
                        + " WHERE lock_name = :name AND (owner_id IS NULL OR expires_at <= UTC_TIMESTAMP(6))");
        this.insert = tryPrefix
                + ("INSERT IGNORE INTO " + table + " (lock_name, owner_id, token, acquired_at, expires_at)"
                        + " VALUES (:name, :owner, 1, UTC_TIMESTAMP(6), " + expiry + ")");
        this.readGrant = "SELECT token, expires_at FROM " + table
                + " WHERE lock_name = :name AND owner_id = :owner AND expires_at > UTC_TIMESTAMP(6)";
        this.renew = bounded("UPDATE " + table + " SET expires_at = " + expiry
                + " WHERE owner_id = :owner AND expires_at > UTC_TIMESTAMP(6) AND ");
        this.readRenewed = "SELECT lock_name, expires_at FROM " + table
                + " WHERE owner_id = :owner AND expires_at > UTC_TIMESTAMP(6) AND ";
    }

    @Override
    protected String bounded(String sql) {
        return holderPrefix + sql;
    }

    @Override
    protected String now() {
        return "UTC_TIMESTAMP(6)";
    }

    @Override
    protected String nowPlusMicros() {
        return "TIMESTAMPADD(MICROSECOND, :micros, UTC_TIMESTAMP(6))";
    }

    @Override
    protected Instant instant(ResultSet rs, String column) throws SQLException {
        return rs.getObject(column, LocalDateTime.class).toInstant(ZoneOffset.UTC);
    }

    @Override
    protected String shareLockClause() {
        return "LOCK IN SHARE MODE";
    }

    @Override
    public Optional<LeaseGrant> tryAcquire(String name, String owner, Duration leaseTime) {
        long micros = micros(leaseTime);
        boolean known = isKnown(name);
        Optional<LeaseGrant> grant = write(h -> {
            int rows = write(h, update, name, owner, micros);
            if (rows == 0 && !known) {
                rows = write(h, insert, name, owner, micros);
            }
            if (rows == 0) {
                return Optional.<LeaseGrant>empty();
            }
            return h.createQuery(readGrant)
                    .bind("name", name)
                    .bind("owner", owner)
                    .map((rs, ctx) -> new LeaseGrant(rs.getLong("token"), instant(rs, "expires_at")))
                    .findOne();
        });
        markKnown(name);
        return grant;
    }

    private static int write(Handle h, String sql, String name, String owner, long micros) {
        return h.createUpdate(sql)
                .bind("name", name)
                .bind("owner", owner)
                .bind("micros", micros)
                .execute();
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
            String condition = RowValues.inList(chunk.size());
            write(h -> {
                Update update =
                        h.createUpdate(renew + condition).bind("owner", owner).bind("micros", micros(leaseTime));
                RowValues.bind(update, chunk);
                if (update.execute() == 0) {
                    return null;
                }
                Query read = h.createQuery(readRenewed + condition).bind("owner", owner);
                RowValues.bind(read, chunk);
                read.map((rs, ctx) -> Map.entry(rs.getString("lock_name"), instant(rs, "expires_at")))
                        .forEach(e -> renewed.put(e.getKey(), e.getValue()));
                return null;
            });
        });
        return renewed;
    }
}
