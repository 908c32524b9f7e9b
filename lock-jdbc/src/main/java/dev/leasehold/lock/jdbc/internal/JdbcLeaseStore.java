package dev.leasehold.lock.jdbc.internal;

import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.spi.LeaseKey;
import dev.leasehold.lock.spi.LeaseStore;
import dev.leasehold.lock.table.Dialect;
import dev.leasehold.lock.table.internal.H2Statements;
import dev.leasehold.lock.table.internal.LeaseStatements;
import dev.leasehold.lock.table.internal.MariaDbStatements;
import dev.leasehold.lock.table.internal.OwnConnections;
import dev.leasehold.lock.table.internal.PostgresStatements;
import dev.leasehold.lock.table.internal.TableSetup;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.SqlStatement;

/**
 * The lease table as a {@link LeaseStore}, executing the statements of {@code lock-table} through Jdbi: one row per
 * lock name, deleted only by a purge of idle names ({@link #purgeIdle}), which first raises the table's token floor,
 * from which a new row's token starts, so the token counter of a name never goes back. Each dialect subclass runs its
 * database's statements.
 *
 * <p>The store remembers which names it has seen a row for, so that the common path of an acquire is a conditional
 * {@code UPDATE} that matches nothing, writes nothing and logs nothing when the lock is held; a name seen for the first
 * time takes the insert path. A known name whose row is gone (purged, here or by another process, or deleted by hand)
 * is noticed by the acquire itself, which then takes the insert path; {@link #inspect} forgets it too.
 *
 * <p>Every operation runs on a handle of its own and commits by itself ({@link OwnHandles}); only {@link #verifyHeld}
 * runs in the caller's transaction, on purpose. Statements that take row locks ({@link #write}) wait for a row that
 * another transaction holds at most the settings' {@code rowLockTimeout}, each dialect in its own way.
 *
 * <p>This class is thread-safe.
 */
public abstract class JdbcLeaseStore implements LeaseStore {

    private static final int MAX_KNOWN_NAMES = 10_000;

    /** Where every operation gets a handle of its own. */
    protected final OwnHandles handles;

    private final LeaseStatements statements;
    private final Set<String> known = ConcurrentHashMap.newKeySet();

    protected JdbcLeaseStore(OwnHandles handles, LeaseStatements statements) {
        this.handles = handles;
        this.statements = statements;
    }

    /**
     * Opens the store for these settings: finds the dialect, checks (or creates) the table, and returns the dialect's
     * store.
     *
     * @throws dev.leasehold.lock.LockConfigurationException if the database, schema or table cannot be used
     */
    public static JdbcLeaseStore open(Jdbi jdbi, LockSettings settings) {
        OwnHandles handles = new OwnHandles(jdbi, OwnConnections.networkTimeout(settings.leaseTime()));
        TableSetup.Result setup =
                TableSetup.withRetries(() -> handles.withHandle(h -> TableSetup.ensure(h.getConnection(), settings)));
        LeaseStatements statements =
                LeaseStatements.of(setup.dialect(), setup.table(), settings.rowLockTimeout(), setup.product());
        return switch (setup.dialect()) {
            case POSTGRESQL ->
                new PostgresLeaseStore(handles, (PostgresStatements) statements, setup.wakeUntilMissing());
            case H2 -> new H2LeaseStore(handles, (H2Statements) statements, settings.rowLockTimeout());
            case MARIADB -> new MariaDbLeaseStore(handles, (MariaDbStatements) statements, setup.product());
        };
    }

    /** The dialect of this store's database. */
    public Dialect dialect() {
        return statements.dialect();
    }

    /** The quoted, qualified table name. */
    public String table() {
        return statements.table();
    }

    /** The Jdbi this store takes its handles from. */
    public Jdbi jdbi() {
        return handles.jdbi();
    }

    /**
     * Runs a statement that may wait for row locks on a handle of its own, with the lock wait bounded by {@code
     * rowLockTimeout}. The default runs it as it is, for dialects that bound the wait inside the statement; H2 sets
     * the session's lock timeout around it.
     */
    protected <T> T write(HandleCallback<T, RuntimeException> work) {
        return handles.withHandle(work);
    }

    /** Runs a plain read (it never waits for row locks) on a handle of its own. */
    protected <T> T read(HandleCallback<T, RuntimeException> work) {
        return handles.withHandle(work);
    }

    /** Whether a row of this name is known to exist. */
    protected boolean isKnown(String name) {
        return known.contains(name);
    }

    /** Forgets that a row of this name exists: it was found gone. */
    protected void forgetKnown(String name) {
        known.remove(name);
    }

    /** Whether the name has a row, read without locking, on {@code h}. */
    protected boolean rowExists(Handle h, String name) {
        return bind(h.createQuery(statements.status()), name)
                .mapTo(Integer.class)
                .findOne()
                .isPresent();
    }

    /** Remembers that a row of this name exists. */
    protected void markKnown(String name) {
        if (known.size() >= MAX_KNOWN_NAMES) {
            known.clear();
        }
        known.add(name);
    }

    /** Reads a time column as an instant. */
    protected Instant instant(ResultSet rs, int column) throws SQLException {
        return statements.dialect().instant(rs, column);
    }

    /** Binds {@code values} to the statement's parameters, in order. */
    protected static <S extends SqlStatement<S>> S bind(S statement, Object... values) {
        for (int i = 0; i < values.length; i++) {
            statement.bind(i, values[i]);
        }
        return statement;
    }

    /** Binds name and token of each lease after the first {@code from} parameters, for row-value lists. */
    protected static <S extends SqlStatement<S>> S bindLeases(S statement, int from, List<LeaseKey> leases) {
        for (int i = 0; i < leases.size(); i++) {
            statement.bind(from + 2 * i, leases.get(i).name());
            statement.bind(from + 2 * i + 1, leases.get(i).token());
        }
        return statement;
    }

    /** Renews one lease as a batch of one; PostgreSQL overrides it with a statement of its own. */
    @Override
    public Optional<Instant> renew(String name, String owner, long token, Duration leaseTime) throws SQLException {
        return Optional.ofNullable(
                renewAll(owner, List.of(new LeaseKey(name, token)), leaseTime).get(name));
    }

    /**
     * Releases a held lease: clears the owner and ends the lease now, guarded by name, owner, token and expiry. One
     * statement; PostgreSQL overrides it to commit asynchronously and notify waiters.
     */
    @Override
    public boolean release(String name, String owner, long token) throws SQLException {
        return write(h -> bind(h.createUpdate(statements.release()), name, owner, token)
                        .execute())
                == 1;
    }

    /**
     * Releases a held lease with a minimum hold ({@link LeaseStatements#releaseAfter()}): one guarded statement that
     * keeps the owner and moves the expiry to the later of now and {@code acquired_at} plus the hold, by the database
     * clock. PostgreSQL overrides it to notify waiters.
     */
    @Override
    public boolean releaseAfter(String name, String owner, long token, Duration minHold) throws SQLException {
        long hold = micros(minHold);
        return write(h -> bind(h.createUpdate(statements.releaseAfter()), hold, hold, name, owner, token)
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
        return LeaseStatements.micros(leaseTime);
    }

    /** What one purge batch did: rows it read as idle, rows it deleted. */
    protected record PurgeBatch(int read, int deleted) {}

    /**
     * Purges idle names in batches of {@link LeaseStatements#PURGE_BATCH}, one transaction each, until a batch finds
     * fewer idle rows: H2 and MariaDB lock the floor's row ({@link LeaseStatements#lockFloor()}), read the batch, raise
     * the floor to its largest token and delete the rows that are still idle with a token at most the floor, four
     * statements on one connection; PostgreSQL overrides {@link #purgeBatch} with one statement.
     */
    @Override
    public long purgeIdle(Duration idleFor) {
        long since = -micros(idleFor);
        long purged = 0;
        while (true) {
            PurgeBatch batch = write(h -> h.inTransaction(tx -> purgeBatch(tx, since)));
            purged += batch.deleted();
            if (batch.read() < LeaseStatements.PURGE_BATCH) {
                return purged;
            }
        }
    }

    /** One purge batch in the transaction open on {@code h}; {@code since} is minus the idle age in microseconds. */
    protected PurgeBatch purgeBatch(Handle h, long since) {
        Optional<Long> floor = lockFloor(h);
        if (floor.isEmpty()) {
            // Deleted by hand: put it back (token 0 is safe, every row deleted so far was deleted after a raise).
            h.execute(statements.ensureFloor());
            floor = lockFloor(h);
        }
        List<Map.Entry<String, Long>> idle = bind(h.createQuery(statements.idleBatch()), since)
                .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getLong(2)))
                .list();
        if (idle.isEmpty()) {
            return new PurgeBatch(0, 0);
        }
        long raised = floor.orElse(0L);
        for (Map.Entry<String, Long> row : idle) {
            raised = Math.max(raised, row.getValue());
        }
        if (raised > floor.orElse(0L)) {
            bind(h.createUpdate(statements.raiseFloor()), raised).execute();
        }
        var delete = bind(h.createUpdate(statements.deleteIdle(idle.size())), since, raised);
        for (int i = 0; i < idle.size(); i++) {
            delete.bind(2 + i, idle.get(i).getKey());
        }
        return new PurgeBatch(idle.size(), delete.execute());
    }

    private Optional<Long> lockFloor(Handle h) {
        return h.createQuery(statements.lockFloor()).mapTo(Long.class).findOne();
    }

    @Override
    public Optional<LockInfo> inspect(String name) {
        Optional<Optional<LockInfo>> row = read(h -> bind(h.createQuery(statements.inspect()), name)
                .map((rs, ctx) -> rs.getInt(5) == 1
                        ? Optional.of(
                                new LockInfo(name, rs.getString(1), rs.getLong(2), instant(rs, 3), instant(rs, 4)))
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
        return read(h -> h.createQuery(statements.listHeld())
                .map((rs, ctx) ->
                        new LockInfo(rs.getString(1), rs.getString(2), rs.getLong(3), instant(rs, 4), instant(rs, 5)))
                .list());
    }

    /**
     * Frees a lock whoever holds it, for administration: reads the holder, then releases exactly that lease (name,
     * owner and token), so that a lease granted in between is left alone.
     *
     * @return the lease that was freed, or empty if the lock was free
     */
    public Optional<LockInfo> forceRelease(String name) throws SQLException {
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
        return bind(handle.createQuery(statements.verify()), name, owner, token)
                .mapTo(Long.class)
                .findOne()
                .isPresent();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + table() + "]";
    }
}
