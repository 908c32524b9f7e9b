package dev.leasehold.lock.jdbc.internal;

import dev.leasehold.lock.jdbc.JdbcDialect;
import dev.leasehold.lock.spi.AwaitOutcome;
import dev.leasehold.lock.spi.LeaseGrant;
import dev.leasehold.lock.spi.LeaseKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The lease table on PostgreSQL. Every operation is one statement and one round trip, judged by {@code
 * clock_timestamp()}:
 *
 * <ol>
 *   <li>Acquire of a name this store has not seen: {@code INSERT … ON CONFLICT DO UPDATE … WHERE expired RETURNING};
 *       the token is the row's previous token plus one, computed by the statement that wins.
 *   <li>Acquire of a known name: a conditional {@code UPDATE … RETURNING}, which matches nothing, writes no WAL and
 *       takes no transaction id when the lock is held.
 *   <li>Renew of many leases: one {@code UPDATE … FROM unnest(names, tokens)}.
 *   <li>Release: the guarded {@code UPDATE}, committed asynchronously ({@code synchronous_commit = off} for that
 *       transaction only: a release lost in a crash only delays expiry) and announced with {@code pg_notify}, so that
 *       waiters listening on the table's channel wake at once.
 *   <li>Waiting: {@code LISTEN} on one connection per store ({@link PgNotifications}), unless that connection is not
 *       one database session (behind PgBouncer in transaction mode), in which case {@code awaitChange} says {@code
 *       NOT_SUPPORTED} and waiters retry at their retry delay.
 * </ol>
 *
 * <p>Each statement that writes first sets {@code lock_timeout} for its own transaction ({@code set_config(…, true)}
 * in a materialised CTE that the write reads from, so that it is set before any row lock is waited for): a row that
 * another transaction holds makes the statement fail with 55P03 after {@code rowLockTimeout} instead of waiting for
 * that transaction to end. The setting ends with the statement's transaction.
 *
 * <p>This class is thread-safe.
 */
final class PostgresLeaseStore extends JdbcLeaseStore {

    /** The CTE that bounds the statement's row-lock waits; the write reads from it, so it runs first. */
    private static final String BOUNDED =
            "WITH w AS MATERIALIZED (SELECT set_config('lock_timeout', :lockWait, true) AS v) ";

    private final String upsert;
    private final String update;
    private final String renew;
    private final String renewAll;
    private final String release;
    private final String probe;
    private final String channel;
    private final String lockWait;
    private final PgNotifications notifications;

    PostgresLeaseStore(OwnConnections connections, String table, Duration rowLockTimeout) {
        super(connections, JdbcDialect.POSTGRESQL, table, rowLockTimeout);
        String expiry = nowPlusMicros();
        this.upsert = BOUNDED + "INSERT INTO " + table + " AS t (lock_name, owner_id, token, acquired_at, expires_at)"
                + " SELECT :name, :owner, 1, clock_timestamp(), " + expiry + " FROM w"
                + " ON CONFLICT (lock_name) DO UPDATE SET owner_id = EXCLUDED.owner_id, token = t.token + 1,"
                + " acquired_at = clock_timestamp(), expires_at = " + expiry
                + " WHERE t.owner_id IS NULL OR t.expires_at <= clock_timestamp()"
                + " RETURNING token, expires_at";
        this.update = BOUNDED + "UPDATE " + table + " AS t SET owner_id = :owner, token = t.token + 1,"
                + " acquired_at = clock_timestamp(), expires_at = " + expiry
                + " FROM w WHERE t.lock_name = :name AND (t.owner_id IS NULL OR t.expires_at <= clock_timestamp())"
                + " RETURNING t.token, t.expires_at";
        this.renew = BOUNDED + "UPDATE " + table + " AS t SET expires_at = " + expiry
                + " FROM w WHERE t.lock_name = :name AND t.owner_id = :owner AND t.token = :token"
                + " AND t.expires_at > clock_timestamp() RETURNING t.expires_at";
        this.renewAll = BOUNDED + "UPDATE " + table + " AS t SET expires_at = " + expiry
                + " FROM w, unnest(CAST(:names AS varchar[]), CAST(:tokens AS bigint[])) AS k(lock_name, token)"
                + " WHERE t.lock_name = k.lock_name AND t.token = k.token AND t.owner_id = :owner"
                + " AND t.expires_at > clock_timestamp() RETURNING t.lock_name, t.expires_at";
        this.channel = channel(table);
        this.release = "WITH w AS MATERIALIZED (SELECT set_config('lock_timeout', :lockWait, true) AS v,"
                + " set_config('synchronous_commit', 'off', true) AS a),"
                + " released AS (UPDATE " + table + " AS t SET owner_id = NULL, expires_at = clock_timestamp()"
                + " FROM w WHERE t.lock_name = :name AND t.owner_id = :owner AND t.token = :token"
                + " AND t.expires_at > clock_timestamp() RETURNING t.lock_name)"
                + " SELECT pg_notify(:channel, r.lock_name) FROM released r";
        this.probe = "SELECT CASE WHEN owner_id IS NULL OR expires_at <= clock_timestamp() THEN 0"
                + " ELSE CAST(ceil(extract(epoch FROM (expires_at - clock_timestamp())) * 1000) AS bigint) END"
                + " FROM " + table + " WHERE lock_name = :name";
        this.lockWait = Math.max(1, rowLockTimeout.toMillis()) + "ms";
        this.notifications = new PgNotifications(connections, channel);
    }

    /** The notification channel of a table: a fixed prefix and a hash of its qualified name. */
    static String channel(String table) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(table.getBytes(StandardCharsets.UTF_8));
            return "leasehold_" + HexFormat.of().formatHex(hash, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    @Override
    protected String now() {
        return "clock_timestamp()";
    }

    @Override
    protected String nowPlusMicros() {
        return "clock_timestamp() + CAST(:micros AS bigint) * INTERVAL '1 microsecond'";
    }

    @Override
    protected Instant instant(ResultSet rs, String column) throws SQLException {
        return rs.getObject(column, OffsetDateTime.class).toInstant();
    }

    @Override
    protected String shareLockClause() {
        return "FOR SHARE";
    }

    @Override
    public Optional<LeaseGrant> tryAcquire(String name, String owner, Duration leaseTime) {
        boolean known = isKnown(name);
        Optional<LeaseGrant> grant = write(h -> h.createQuery(known ? update : upsert)
                .bind("lockWait", lockWait)
                .bind("name", name)
                .bind("owner", owner)
                .bind("micros", micros(leaseTime))
                .map((rs, ctx) -> new LeaseGrant(rs.getLong("token"), instant(rs, "expires_at")))
                .findOne());
        if (!known) {
            markKnown(name);
        }
        return grant;
    }

    @Override
    public Optional<Instant> renew(String name, String owner, long token, Duration leaseTime) {
        return write(h -> h.createQuery(renew)
                .bind("lockWait", lockWait)
                .bind("name", name)
                .bind("owner", owner)
                .bind("token", token)
                .bind("micros", micros(leaseTime))
                .map((rs, ctx) -> instant(rs, "expires_at"))
                .findOne());
    }

    @Override
    public Map<String, Instant> renewAll(String owner, Collection<LeaseKey> leases, Duration leaseTime) {
        if (leases.isEmpty()) {
            return Map.of();
        }
        List<String> names = new ArrayList<>(leases.size());
        List<Long> tokens = new ArrayList<>(leases.size());
        for (LeaseKey lease : leases) {
            names.add(lease.name());
            tokens.add(lease.token());
        }
        List<Map.Entry<String, Instant>> rows = write(h -> h.createQuery(renewAll)
                .bind("lockWait", lockWait)
                .bindArray("names", String.class, names)
                .bindArray("tokens", Long.class, tokens)
                .bind("owner", owner)
                .bind("micros", micros(leaseTime))
                .map((rs, ctx) -> Map.entry(rs.getString("lock_name"), instant(rs, "expires_at")))
                .list());
        Map<String, Instant> renewed = new LinkedHashMap<>();
        rows.forEach(e -> renewed.put(e.getKey(), e.getValue()));
        return renewed;
    }

    @Override
    public boolean release(String name, String owner, long token) {
        return write(h -> h.createQuery(release)
                                .bind("lockWait", lockWait)
                                .bind("name", name)
                                .bind("owner", owner)
                                .bind("token", token)
                                .bind("channel", channel)
                                .mapTo(String.class)
                                .list())
                        .size()
                == 1;
    }

    @Override
    public AwaitOutcome awaitChange(String name, Duration maxWait) throws InterruptedException, SQLException {
        // Listen first, then look: a release between the look and the wait is still heard.
        OptionalLong listening = notifications.startAndGetVersion(name);
        if (listening.isEmpty()) {
            return AwaitOutcome.NOT_SUPPORTED; // not one session (PgBouncer in transaction mode): LISTEN cannot work
        }
        long version = listening.getAsLong();
        Optional<Long> millisLeft = read(
                h -> h.createQuery(probe).bind("name", name).mapTo(Long.class).findOne());
        if (millisLeft.isEmpty() || millisLeft.get() <= 0) {
            return AwaitOutcome.CHANGED;
        }
        Duration untilExpiry = Duration.ofMillis(millisLeft.get() + 1);
        boolean expiresFirst = untilExpiry.compareTo(maxWait) < 0;
        boolean notified = notifications.await(name, version, expiresFirst ? untilExpiry : maxWait);
        return notified || expiresFirst ? AwaitOutcome.CHANGED : AwaitOutcome.TIMED_OUT;
    }

    @Override
    public void close() {
        notifications.close();
    }
}
