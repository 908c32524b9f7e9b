package dev.leasehold.lock.jdbc.internal;

import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.jdbc.JdbcDialect;
import dev.leasehold.lock.spi.LeaseKey;
import dev.leasehold.lock.spi.LeaseStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;

/**
 * The lease table as a {@link LeaseStore}: one row per lock name, never deleted, so the token counter of a name never
 * resets. Every time is the database's; the client sends lease times in microseconds and never a timestamp. Each
 * dialect subclass writes the statements its database runs best.
 *
 * <p>The store remembers which names it has seen a row for, so that the common path of an acquire is a conditional
 * {@code UPDATE} that matches nothing, writes nothing and logs nothing when the lock is held; a name seen for the first
 * time takes the insert path. A row deleted by hand is noticed by {@link #inspect} and the name forgotten.
 *
 * <p>Every operation runs on a connection of its own and commits by itself ({@link OwnConnections}); only {@link
 * #verifyHeld} runs in the caller's transaction, on purpose. Statements that take row locks ({@link #write}) wait for
 * a row that another transaction holds at most the settings' {@code rowLockTimeout}, each dialect in its own way, and
 * the setting never outlives the statement's own transaction.
 *
 * <p>This class is thread-safe.
 */
public abstract class JdbcLeaseStore implements LeaseStore {

    private static final int MAX_KNOWN_NAMES = 10_000;

    /** Where every operation gets a connection of its own. */
    protected final OwnConnections connections;

    /** The database's dialect. */
    protected final JdbcDialect dialect;

    /** The quoted, qualified table name. */
    protected final String table;

    /** How long a statement waits for a row lock another transaction holds. */
    protected final Duration rowLockTimeout;

    private final Set<String> known = ConcurrentHashMap.newKeySet();

    protected JdbcLeaseStore(OwnConnections connections, JdbcDialect dialect, String table, Duration rowLockTimeout) {
        this.connections = connections;
        this.dialect = dialect;
        this.table = table;
        this.rowLockTimeout = rowLockTimeout;
    }

    /**
     * Opens the store for these settings: finds the dialect, checks (or creates) the table, and returns the dialect's
     * store.
     *
     * @throws dev.leasehold.lock.LockConfigurationException if the database, schema or table cannot be used
     */
    public static JdbcLeaseStore open(Jdbi jdbi, LockSettings settings) {
        OwnConnections connections = new OwnConnections(jdbi, OwnConnections.networkTimeout(settings.leaseTime()));
        TableSetup.Result setup = TableSetup.ensure(connections, settings);
        Duration wait = settings.rowLockTimeout();
        return switch (setup.dialect()) {
            case POSTGRESQL -> new PostgresLeaseStore(connections, setup.table(), wait);
            case H2 -> new H2LeaseStore(connections, setup.table(), wait);
            case MARIADB -> new MariaDbLeaseStore(connections, setup.table(), wait, setup.product());
        };
    }

    /** The dialect of this store's database. */
    public JdbcDialect dialect() {
        return dialect;
    }

    /** The quoted, qualified table name. */
    public String table() {
        return table;
    }

    /** The Jdbi this store takes its connections from. */
    public Jdbi jdbi() {
        return connections.jdbi();
    }

    /**
     * Runs a statement that may wait for row locks on a connection of its own, with the lock wait bounded by {@code
     * rowLockTimeout}. The default runs it as it is, for dialects that bound the wait inside the statement; H2 sets
     * the session's lock timeout around it.
     */
    protected <T> T write(HandleCallback<T, RuntimeException> work) {
        return connections.withHandle(work);
    }

    /** Runs a plain read (it never waits for row locks) on a connection of its own. */
    protected <T> T read(HandleCallback<T, RuntimeException> work) {
        return connections.withHandle(work);
    }

    /**
     * A holder's statement (renew, release) with the dialect's per-statement row-lock wait bound, for dialects that
     * write it into the statement text; the default returns it as it is.
     */
    protected String bounded(String sql) {
        return sql;
    }

    /** Whether a row of this name is known to exist. */
    protected boolean isKnown(String name) {
        return known.contains(name);
    }

    /** Remembers that a row of this name exists. */
    protected void markKnown(String name) {
        if (known.size() >= MAX_KNOWN_NAMES) {
            known.clear();
        }
        known.add(name);
    }

    /** The database's current time as SQL. */
    protected abstract String now();

    /** The database's current time plus the microseconds bound to {@code :micros}, as SQL. */
    protected abstract String nowPlusMicros();

    /** Reads a timestamp column as an instant. */
    protected abstract Instant instant(ResultSet rs, String column) throws SQLException;

    /** The clause that share-locks the row for the transactional check. */
    protected abstract String shareLockClause();

    /**
     * Releases a held lease: clears the owner and ends the lease now, guarded by name, owner, token and expiry. One
     * statement; PostgreSQL overrides it to commit asynchronously and notify waiters.
     */
    @Override
    public boolean release(String name, String owner, long token) {
        String sql = bounded("UPDATE " + table + " SET owner_id = NULL, expires_at = " + now()
                + " WHERE lock_name = :name AND owner_id = :owner AND token = :token AND expires_at > " + now());
        return write(h -> h.createUpdate(sql)
                        .bind("name", name)
                        .bind("owner", owner)
                        .bind("token", token)
                        .execute())
                == 1;
    }

    /** Runs {@code each} over the leases in batches of at most {@code size}, for statements with row-value lists. */
    protected static void inBatches(Collection<LeaseKey> leases, int size, Consumer<List<LeaseKey>> each) {
        List<LeaseKey> all = new ArrayList<>(leases);
        for (int from = 0; from < all.size(); from += size) {
            each.accept(all.subList(from, Math.min(all.size(), from + size)));
        }
    }

    /** Lease times go to the database as whole microseconds. */
    protected static long micros(Duration leaseTime) {
        return Math.max(1, leaseTime.toNanos() / 1_000);
    }

    @Override
    public Optional<LockInfo> inspect(String name) {
        String sql = "SELECT owner_id, token, acquired_at, expires_at, CASE WHEN owner_id IS NOT NULL AND expires_at > "
                + now() + " THEN 1 ELSE 0 END AS live FROM " + table + " WHERE lock_name = :name";
        Optional<Optional<LockInfo>> row = read(h -> h.createQuery(sql)
                .bind("name", name)
                .map((rs, ctx) -> rs.getInt("live") == 1
                        ? Optional.of(new LockInfo(
                                name,
                                rs.getString("owner_id"),
                                rs.getLong("token"),
                                instant(rs, "acquired_at"),
                                instant(rs, "expires_at")))
                        : Optional.<LockInfo>empty())
                .findOne());
        if (row.isEmpty()) {
            known.remove(name);
            return Optional.empty();
        }
        markKnown(name);
        return row.get();
    }

    /** Every lock held right now (an unexpired lease), by name. For administration. */
    public List<LockInfo> listHeld() {
        String sql = "SELECT lock_name, owner_id, token, acquired_at, expires_at FROM " + table
                + " WHERE owner_id IS NOT NULL AND expires_at > " + now() + " ORDER BY lock_name";
        return read(h -> h.createQuery(sql)
                .map((rs, ctx) -> new LockInfo(
                        rs.getString("lock_name"),
                        rs.getString("owner_id"),
                        rs.getLong("token"),
                        instant(rs, "acquired_at"),
                        instant(rs, "expires_at")))
                .list());
    }

    /**
     * Frees a lock whoever holds it, for administration: reads the holder, then releases exactly that lease (name,
     * owner and token), so that a lease granted in between is left alone.
     *
     * @return the lease that was freed, or empty if the lock was free
     */
    public Optional<LockInfo> forceRelease(String name) throws java.sql.SQLException {
        for (int attempt = 0; attempt < 3; attempt++) {
            Optional<LockInfo> holder = inspect(name);
            if (holder.isEmpty()) {
                return Optional.empty();
            }
            if (release(name, holder.get().ownerId(), holder.get().token())) {
                return holder;
            }
        }
        return Optional.empty();
    }

    /**
     * Whether the lease still holds, checked inside the caller's transaction on {@code handle}: the row is
     * share-locked, so that nobody can take the lock over until that transaction ends.
     */
    public boolean verifyHeld(Handle handle, String name, String owner, long token) {
        String sql = "SELECT token FROM " + table + " WHERE lock_name = :name AND owner_id = :owner AND token = :token"
                + " AND expires_at > " + now() + " " + shareLockClause();
        return handle.createQuery(sql)
                .bind("name", name)
                .bind("owner", owner)
                .bind("token", token)
                .mapTo(Long.class)
                .findOne()
                .isPresent();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + table + "]";
    }
}
