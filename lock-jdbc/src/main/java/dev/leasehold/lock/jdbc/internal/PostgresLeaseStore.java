package dev.leasehold.lock.jdbc.internal;

import dev.leasehold.lock.spi.AwaitOutcome;
import dev.leasehold.lock.spi.LeaseGrant;
import dev.leasehold.lock.spi.LeaseKey;
import dev.leasehold.lock.spi.SqlFailures;
import dev.leasehold.lock.table.Dialect;
import dev.leasehold.lock.table.internal.LeaseStatements;
import dev.leasehold.lock.table.internal.PostgresStatements;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lease table on PostgreSQL: every operation is one statement and one round trip ({@link PostgresStatements}),
 * judged by {@code clock_timestamp()}, with its row-lock wait bounded inside the statement; a release that someone
 * waits for is followed by its notification.
 *
 * <ol>
 *   <li>Acquire of a name this store has not seen: the upsert; of a known name, the conditional update, which writes
 *       nothing when the lock is held.
 *   <li>Renew of many leases: one {@code UPDATE … FROM unnest(names, tokens)}.
 *   <li>Release: the guarded {@code UPDATE}, committed asynchronously, then a {@code pg_notify} when it says
 *       someone waits, so that waiters listening on the table's channel wake at once. A release with a minimum hold is
 *       committed synchronously, since losing it could end the hold early.
 *   <li>Waiting: {@code LISTEN}, then one statement that announces the waiter in the row ({@code wake_until}) and reads
 *       how long the lease has left; a release notifies only while a waiter's {@code wake_until} lies ahead (why no
 *       wake-up is lost: {@link PostgresStatements}). On a table without that column, which start-up could not add,
 *       every release notifies and waiters only read, as before the column existed.
 * </ol>
 *
 * <p>This class is thread-safe.
 */
final class PostgresLeaseStore extends JdbcLeaseStore {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresLeaseStore.class);

    private final PostgresStatements sql;
    private final String acquireKnown;
    private final String acquireNew;
    private final String release;
    private final String releaseAfter;
    private final String announceWaiter;
    private final String channel;
    private final PgNotifications notifications;
    private final boolean waitersAnnounce;

    /**
     * The store of a table; {@code wakeUntilMissing} says why the table lacks {@code wake_until} (empty when it has
     * it), in which case waiters do not announce themselves and every release notifies.
     */
    PostgresLeaseStore(OwnHandles handles, PostgresStatements sql, Optional<String> wakeUntilMissing) {
        super(handles, sql);
        this.sql = sql;
        this.acquireKnown = sql.acquireKnown();
        this.acquireNew = sql.acquireNew();
        this.waitersAnnounce = wakeUntilMissing.isEmpty();
        this.release = sql.releaseReturningAwaited(waitersAnnounce);
        this.releaseAfter = sql.releaseAfterReturningAwaited(waitersAnnounce);
        this.announceWaiter = sql.announceWaiter();
        this.channel = sql.channel();
        this.notifications = new PgNotifications(handles, channel);
        wakeUntilMissing.ifPresent(why -> LOG.warn(
                "the lock table {} has no column {} ({}), so every release sends a notification whether anyone waits"
                        + " or not, which costs throughput under concurrency; add it with: {}",
                sql.table(),
                Dialect.WAKE_UNTIL,
                why,
                sql.dialect().addWakeUntil(sql.table())));
    }

    /** What the acquire of a known name found: the grant, if any, and whether the row exists. */
    private record KnownAttempt(Optional<LeaseGrant> grant, boolean exists) {}

    /**
     * A known name takes the conditional {@code UPDATE}, which also says whether the row exists, in one statement: a
     * try on a held lock stays one round trip. Only when the row is gone (purged) does it take the upsert, as a name
     * never seen does. Both run in plain JDBC ({@link OwnHandles#withConnection}), as does the release: they are the
     * path every lock takes.
     */
    @Override
    public Optional<LeaseGrant> tryAcquire(String name, String owner, Duration leaseTime) throws SQLException {
        long micros = micros(leaseTime);
        if (isKnown(name)) {
            KnownAttempt attempt = handles.withConnection(c -> {
                try (PreparedStatement s = c.prepareStatement(acquireKnown)) {
                    s.setString(1, owner);
                    s.setLong(2, micros);
                    s.setString(3, name);
                    s.setString(4, sql.lockWait());
                    s.setString(5, name);
                    try (ResultSet rs = s.executeQuery()) {
                        if (!rs.next()) {
                            throw new SQLException("the acquire of lock '" + name + "' returned no row");
                        }
                        long token = rs.getLong(1);
                        Optional<LeaseGrant> grant = rs.wasNull()
                                ? Optional.empty()
                                : Optional.of(new LeaseGrant(token, instant(rs, 2), instant(rs, 3)));
                        return new KnownAttempt(grant, rs.getBoolean(4));
                    }
                }
            });
            if (attempt.grant().isPresent() || attempt.exists()) {
                return attempt.grant();
            }
            forgetKnown(name);
        }
        Optional<LeaseGrant> grant = handles.withConnection(c -> {
            try (PreparedStatement s = c.prepareStatement(acquireNew)) {
                s.setString(1, sql.lockWait());
                s.setString(2, name);
                s.setString(3, owner);
                s.setLong(4, micros);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next()
                            ? Optional.of(new LeaseGrant(rs.getLong(1), instant(rs, 2), instant(rs, 3)))
                            : Optional.<LeaseGrant>empty();
                }
            }
        });
        markKnown(name);
        return grant;
    }

    /** One purge batch: {@link PostgresStatements#purgeBatch()}, one statement. */
    @Override
    protected PurgeBatch purgeBatch(Handle h, long since) {
        long[] counts = bind(h.createQuery(sql.purgeBatch()), sql.lockWait(), since, since)
                .map((rs, ctx) -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)})
                .one();
        if (counts[0] == 0) {
            // The floor's row was deleted by hand: put it back, then purge.
            h.execute(sql.ensureFloor());
            return new PurgeBatch(LeaseStatements.PURGE_BATCH, 0);
        }
        return new PurgeBatch((int) counts[1], (int) counts[2]);
    }

    @Override
    public Optional<Instant> renew(String name, String owner, long token, Duration leaseTime) {
        return write(h -> bind(h.createQuery(sql.renew()), sql.lockWait(), micros(leaseTime), name, owner, token)
                .map((rs, ctx) -> instant(rs, 1))
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
        List<Map.Entry<String, Instant>> rows = write(h -> h.createQuery(sql.renewAll())
                .bind(0, sql.lockWait())
                .bind(1, micros(leaseTime))
                .bindArray(2, String.class, names)
                .bindArray(3, Long.class, tokens)
                .bind(4, owner)
                .map((rs, ctx) -> Map.entry(rs.getString(1), instant(rs, 2)))
                .list());
        Map<String, Instant> renewed = new LinkedHashMap<>();
        rows.forEach(e -> renewed.put(e.getKey(), e.getValue()));
        return renewed;
    }

    @Override
    public boolean release(String name, String owner, long token) throws SQLException {
        Optional<Boolean> awaited = handles.withConnection(c -> {
            try (PreparedStatement s = c.prepareStatement(release)) {
                s.setString(1, name);
                s.setString(2, owner);
                s.setLong(3, token);
                s.setString(4, sql.lockWait());
                return awaited(s);
            }
        });
        return wakeIfAwaited(name, awaited);
    }

    /**
     * Releases with a minimum hold: the guarded {@code UPDATE} of {@link
     * PostgresStatements#releaseAfterReturningAwaited}, committed synchronously, and a {@code pg_notify} when someone
     * waits, so that waiters look again (and, if the hold lasts, wait for its end).
     */
    @Override
    public boolean releaseAfter(String name, String owner, long token, Duration minHold) throws SQLException {
        long hold = micros(minHold);
        Optional<Boolean> awaited = handles.withConnection(c -> {
            try (PreparedStatement s = c.prepareStatement(releaseAfter)) {
                s.setString(1, sql.lockWait());
                s.setLong(2, hold);
                s.setLong(3, hold);
                s.setString(4, name);
                s.setString(5, owner);
                s.setLong(6, token);
                return awaited(s);
            }
        });
        return wakeIfAwaited(name, awaited);
    }

    /** What a release statement returned: whether it woke a wait (empty when it released nothing). */
    private static Optional<Boolean> awaited(PreparedStatement s) throws SQLException {
        try (ResultSet rs = s.executeQuery()) {
            return rs.next() ? Optional.of(rs.getBoolean(1)) : Optional.empty();
        }
    }

    /**
     * Whether the release released; once it has committed, wakes the lock's waiters if it said someone waits. A
     * wake-up that fails is logged and changes nothing: the release stands, and the waiters wait out their retry delay.
     */
    private boolean wakeIfAwaited(String name, Optional<Boolean> awaited) {
        if (awaited.isEmpty()) {
            return false;
        }
        if (awaited.get()) {
            try {
                handles.withConnection(c -> {
                    try (PreparedStatement s = c.prepareStatement(sql.notifyWaiters())) {
                        s.setString(1, channel);
                        s.setString(2, name);
                        s.executeQuery().close();
                        return null;
                    }
                });
            } catch (SQLException | RuntimeException e) {
                LOG.warn(
                        "lock '{}' was released, but waking its waiters failed (SQLState {}); they try again after"
                                + " their retry delay",
                        name,
                        SqlFailures.sqlState(e).orElse("none"),
                        e);
            }
        }
        return true;
    }

    @Override
    public AwaitOutcome awaitChange(String name, Duration maxWait) throws InterruptedException, SQLException {
        // Listen first, then look: a release between the look and the wait is still heard.
        OptionalLong listening = notifications.startAndGetVersion(name);
        if (listening.isEmpty()) {
            return AwaitOutcome.NOT_SUPPORTED; // not one session (PgBouncer in transaction mode): LISTEN cannot work
        }
        long version = listening.getAsLong();
        // The wait ends by the time announced, counted from before the announcement, so that no release skips the
        // notification while this waiter still waits.
        long start = System.nanoTime();
        Optional<Long> millisLeft;
        if (waitersAnnounce) {
            try {
                millisLeft = announce(name, maxWait);
            } catch (SQLException e) {
                if (!SqlFailures.isLockNotAvailable(e)) {
                    throw e;
                }
                // Another transaction holds the row (a release or grant under way, a long transactional check): the
                // lock is changing or about to, so look again rather than wait unannounced.
                return AwaitOutcome.CHANGED;
            }
        } else {
            millisLeft = read(h -> bind(h.createQuery(sql.millisLeft()), name)
                    .mapTo(Long.class)
                    .findOne());
        }
        if (millisLeft.isEmpty() || millisLeft.get() <= 0) {
            return AwaitOutcome.CHANGED;
        }
        Duration untilExpiry = Duration.ofMillis(millisLeft.get() + 1);
        Duration rest = maxWait.minusNanos(System.nanoTime() - start);
        boolean expiresFirst = untilExpiry.compareTo(rest) < 0;
        boolean notified = notifications.await(name, version, expiresFirst ? untilExpiry : rest);
        return notified || expiresFirst ? AwaitOutcome.CHANGED : AwaitOutcome.TIMED_OUT;
    }

    /**
     * Announces a waiter until the database's time plus {@code maxWait} ({@link PostgresStatements#announceWaiter}), its
     * row-lock wait bounded by the smaller of {@code rowLockTimeout} and {@code maxWait}.
     *
     * @return how long the lease has left in milliseconds, or empty when the lock is free or the name never used
     */
    private Optional<Long> announce(String name, Duration maxWait) throws SQLException {
        return handles.withConnection(c -> {
            try (PreparedStatement s = c.prepareStatement(announceWaiter)) {
                s.setString(1, sql.lockWaitAtMost(maxWait));
                s.setLong(2, micros(maxWait));
                s.setString(3, name);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getLong(1)) : Optional.<Long>empty();
                }
            }
        });
    }

    @Override
    public void close() {
        notifications.close();
    }
}
