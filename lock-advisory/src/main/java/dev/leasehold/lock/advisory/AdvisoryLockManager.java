package dev.leasehold.lock.advisory;

import dev.leasehold.lock.LockConfigurationException;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.advisory.internal.AdvisoryLeaseStore;
import dev.leasehold.lock.advisory.internal.ConnectionSource;
import dev.leasehold.lock.core.LeaseLockManager;
import dev.leasehold.lock.internal.Arguments;
import dev.leasehold.lock.table.internal.OwnConnections;
import java.util.Optional;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;

/**
 * The {@code advisory} backend's {@link dev.leasehold.lock.LockManager}: PostgreSQL advisory locks plus the lease table of {@code
 * lock-table} ({@code {schema}.{prefix}distributed_locks}), and transaction-scoped advisory locks for code already in a
 * transaction ({@link #transactionLocks()}). {@code Locks.builder().dataSource(ds).backend("advisory").build()} returns
 * one; {@link #create(DataSource, LockSettings, AdvisoryOptions)} builds one directly.
 *
 * <p>What it adds to the lease table:
 *
 * <ul>
 *   <li><b>Crash handoff in a round trip.</b> A holder's advisory locks die with its database session, so when its
 *       process crashes the next waiter gets the lock as soon as PostgreSQL notices the closed connection, instead of
 *       after the lease time ({@link Takeover#IMMEDIATE}, the default; {@link Takeover#AFTER_EXPIRY} keeps the lease
 *       table's timing).
 *   <li><b>Waiting without polling.</b> A waiter blocks in the database until the holder unlocks, and tries once more.
 *   <li><b>Session liveness.</b> All of a manager's advisory locks live on one session connection of its own, which
 *       is never returned to a pool while it holds anything. When that session ends (SQLState 08xxx, 57P01, 25P03),
 *       every lease it held is lost at once and its listeners are told; a manager holding leases checks its session
 *       whenever it has been idle for {@link AdvisoryOptions#livenessInterval()} (500 ms by default), so a terminated
 *       session is reported within that interval plus 100 ms plus a round trip. It never reconnects with old tokens:
 *       the next acquire opens a new session and gets a new token.
 * </ul>
 *
 * <p>Lock names map to 64-bit keys ({@link #keyOf(String)}): the first 8 bytes of SHA-256 over the table's schema and
 * name and the NFC-normalised lock name. Two names on one key only serialise each other: every grant is decided on the
 * lease row of the full name, so a collision costs liveness, never safety.
 *
 * <p>Building it connects: it checks that the database is PostgreSQL, sets up the table as the {@code jdbc} backend
 * does, and opens the session with a self-check that fails when the DataSource goes through a pooler that does not keep
 * sessions (PgBouncer in transaction mode).
 *
 * <p>Per manager it uses one session connection for as long as it lives, plus a pooled connection for each waiting
 * thread and for {@code inspect}. Size the pool for it.
 *
 * <p>This class is thread-safe.
 */
public final class AdvisoryLockManager extends LeaseLockManager {

    private final AdvisoryLeaseStore store;
    private final AdvisoryXactLocks transactionLocks;

    AdvisoryLockManager(AdvisoryLeaseStore store, LockSettings settings) {
        super(store, settings, AdvisoryLockProvider.NAME);
        this.store = store;
        this.transactionLocks = new AdvisoryXactLocks(store.keys());
    }

    /**
     * A manager over the Jdbi or DataSource among the settings' resources (a Jdbi wins), with the options among the
     * settings' properties ({@link AdvisoryOptions#from(LockSettings)}).
     *
     * @throws LockConfigurationException if there is neither, the database is not PostgreSQL, the table cannot be used,
     *     or the connection is not a real session
     * @throws IllegalArgumentException if an {@code advisory.*} property is invalid
     */
    public static AdvisoryLockManager create(LockSettings settings) {
        Arguments.notNull(settings, "settings");
        AdvisoryOptions options = AdvisoryOptions.from(settings);
        Optional<Jdbi> jdbi = settings.resource(Jdbi.class);
        if (jdbi.isPresent()) {
            return create(jdbi.get(), settings, options);
        }
        DataSource dataSource = settings.dataSource()
                .orElseThrow(() -> new LockConfigurationException("the advisory backend needs a DataSource or a Jdbi"
                        + " of PostgreSQL: Locks.builder().dataSource(ds) or .jdbi(jdbi)"));
        return create(dataSource, settings, options);
    }

    /** A manager over this DataSource, with the options among the settings' properties. */
    public static AdvisoryLockManager create(DataSource dataSource, LockSettings settings) {
        Arguments.notNull(settings, "settings");
        return create(dataSource, settings, AdvisoryOptions.from(settings));
    }

    /**
     * A manager over this DataSource with these options (properties among the settings are ignored).
     *
     * @throws LockConfigurationException if the database is not PostgreSQL, the table cannot be used, or the
     *     connection is not a real session
     */
    public static AdvisoryLockManager create(DataSource dataSource, LockSettings settings, AdvisoryOptions options) {
        Arguments.notNull(dataSource, "dataSource");
        Arguments.notNull(settings, "settings");
        Arguments.notNull(options, "options");
        DataSource own = OwnConnections.unwrap(dataSource);
        return start(AdvisoryLeaseStore.open(ConnectionSource.of(own), Jdbi.create(own), settings, options), settings);
    }

    /** A manager over the application's own Jdbi, with these options. */
    public static AdvisoryLockManager create(Jdbi jdbi, LockSettings settings, AdvisoryOptions options) {
        Arguments.notNull(jdbi, "jdbi");
        Arguments.notNull(settings, "settings");
        Arguments.notNull(options, "options");
        return start(AdvisoryLeaseStore.open(ConnectionSource.of(jdbi), jdbi, settings, options), settings);
    }

    private static AdvisoryLockManager start(AdvisoryLeaseStore store, LockSettings settings) {
        try {
            return new AdvisoryLockManager(store, settings);
        } catch (RuntimeException | Error e) {
            store.close();
            throw e;
        }
    }

    /** Transaction-scoped advisory locks on the same keys as this manager's locks, for code already in a transaction. */
    public AdvisoryXactLocks transactionLocks() {
        return transactionLocks;
    }

    /**
     * The 64-bit advisory lock key of a lock name, as {@code pg_locks} shows it ({@code classid} is its upper 32 bits,
     * {@code objid} its lower 32 bits, {@code objsubid} 1).
     *
     * @throws IllegalArgumentException if the name is not a valid lock name
     */
    public long keyOf(String name) {
        return store.keys().key(Arguments.lockName(name));
    }

    /** The options this manager runs with. */
    public AdvisoryOptions options() {
        return store.options();
    }

    /** The lock table as SQL, quoted and qualified. */
    public String table() {
        return store.table();
    }

    @Override
    public String toString() {
        return "AdvisoryLockManager[" + store.table() + ", owner " + ownerId() + "]";
    }
}
