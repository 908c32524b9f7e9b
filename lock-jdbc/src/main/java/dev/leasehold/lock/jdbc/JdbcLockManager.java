package dev.leasehold.lock.jdbc;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockBackendException;
import dev.leasehold.lock.LockConfigurationException;
import dev.leasehold.lock.LockExpiredException;
import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.core.LeaseLockManager;
import dev.leasehold.lock.internal.Arguments;
import dev.leasehold.lock.jdbc.internal.JdbcLeaseStore;
import dev.leasehold.lock.spi.SqlFailures;
import dev.leasehold.lock.table.Dialect;
import dev.leasehold.lock.table.internal.OwnConnections;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The {@code jdbc} backend's {@link dev.leasehold.lock.LockManager}: leases in the table {@code {schema}.{prefix}distributed_locks}, plus
 * the transactional check {@link #verifyHeld(Handle, Lease)}. {@code Locks.builder().dataSource(ds).build()} returns
 * one; {@link #create(DataSource, LockSettings)} builds one directly.
 *
 * <p>Building it connects once: it finds the dialect, creates the table when it is missing (unless {@code
 * createTableIfMissing} is off) and checks its columns and privileges, so that a wrong schema, table or grant fails here
 * with its SQLState, not at the first lock.
 *
 * <p>This class is thread-safe.
 */
public final class JdbcLockManager extends LeaseLockManager {

    private final JdbcLeaseStore store;

    private JdbcLockManager(JdbcLeaseStore store, LockSettings settings) {
        super(store, settings, JdbcLockProvider.NAME);
        this.store = store;
    }

    /**
     * A manager over the Jdbi or DataSource among the settings' resources (a Jdbi wins).
     *
     * @throws LockConfigurationException if there is neither, or the database or table cannot be used
     */
    public static JdbcLockManager create(LockSettings settings) {
        return new JdbcLockManager(JdbcLeaseStore.open(jdbiOf(settings), settings), settings);
    }

    /** A manager over this DataSource. */
    public static JdbcLockManager create(DataSource dataSource, LockSettings settings) {
        Arguments.notNull(dataSource, "dataSource");
        Arguments.notNull(settings, "settings");
        return new JdbcLockManager(
                JdbcLeaseStore.open(Jdbi.create(OwnConnections.unwrap(dataSource)), settings), settings);
    }

    /** A manager over the application's own Jdbi. */
    public static JdbcLockManager create(Jdbi jdbi, LockSettings settings) {
        Arguments.notNull(jdbi, "jdbi");
        Arguments.notNull(settings, "settings");
        return new JdbcLockManager(JdbcLeaseStore.open(jdbi, settings), settings);
    }

    /**
     * The Jdbi among the settings' resources, or one over their DataSource (behind a Spring transaction-aware proxy,
     * if it is one: lease statements take connections of their own).
     */
    static Jdbi jdbiOf(LockSettings settings) {
        Optional<Jdbi> jdbi = settings.resource(Jdbi.class);
        if (jdbi.isPresent()) {
            return jdbi.get();
        }
        return settings.dataSource()
                .map(ds -> Jdbi.create(OwnConnections.unwrap(ds)))
                .orElseThrow(
                        () -> new LockConfigurationException(
                                "the jdbc backend needs a DataSource or a Jdbi: Locks.builder().dataSource(ds) or .jdbi(jdbi)"));
    }

    /** The database's dialect. */
    public Dialect dialect() {
        return store.dialect();
    }

    /** The lock table as SQL, quoted and qualified. */
    public String table() {
        return store.table();
    }

    /**
     * Verifies, inside the caller's transaction on {@code handle}, that {@code lease} still holds by the database
     * clock, and share-locks its row so that nobody can take the lock over until that transaction ends. A write made in
     * the same transaction afterwards therefore commits only while the lease holds.
     *
     * <p>Keep such transactions shorter than the lease time: while the row is share-locked, the lease's own renewals
     * wait for the transaction too.
     *
     * @throws LockExpiredException if the lease is not valid locally or the database shows it expired or taken over;
     *     roll the transaction back
     * @throws IllegalStateException if {@code handle} is not in a transaction (the row lock would end at once)
     * @throws IllegalArgumentException if {@code lease} is not one of this manager's
     */
    public void verifyHeld(Handle handle, Lease lease) {
        Arguments.notNull(handle, "handle");
        checkLease(lease);
        if (!handle.isInTransaction()) {
            throw new IllegalStateException("verifyHeld must run inside the transaction it protects: call"
                    + " handle.begin() (or use jdbi.inTransaction) first");
        }
        if (!lease.isValid()) {
            throw expired(lease, "the lease is no longer valid here");
        }
        if (!store.verifyHeld(handle, lease.name(), lease.ownerId(), lease.token())) {
            throw expired(lease, "the database shows it expired or taken over");
        }
    }

    /**
     * {@link #verifyHeld(Handle, Lease)} on a plain JDBC connection, which must not be in auto-commit mode.
     *
     * @throws IllegalStateException if {@code connection} is in auto-commit mode
     */
    public void verifyHeld(Connection connection, Lease lease) {
        Arguments.notNull(connection, "connection");
        try {
            if (connection.getAutoCommit()) {
                throw new IllegalStateException("verifyHeld must run inside the transaction it protects: call"
                        + " connection.setAutoCommit(false) first");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the connection's auto-commit mode", e);
        }
        Handle handle = Jdbi.open(connection);
        // The connection is the caller's: this handle neither commits nor closes it.
        verifyHeld(handle, lease);
    }

    private void checkLease(Lease lease) {
        Arguments.notNull(lease, "lease");
        if (!lease.ownerId().equals(ownerId())) {
            throw new IllegalArgumentException("lease of lock '" + lease.name() + "' belongs to owner "
                    + lease.ownerId() + ", not to this manager (" + ownerId() + ")");
        }
    }

    private static LockExpiredException expired(Lease lease, String why) {
        return new LockExpiredException(
                lease.name(),
                lease.token(),
                "lease on lock '" + lease.name() + "' (token " + lease.token() + ") does not hold: " + why,
                null);
    }

    /** Every lock held right now by anyone, as the database sees it, by name. For administration. */
    public List<LockInfo> list() {
        try {
            return store.listHeld();
        } catch (RuntimeException e) {
            throw backendFailure("list", e);
        }
    }

    /**
     * Frees a lock whoever holds it, for administration and emergencies: the holder learns at its next renewal that
     * its lease is gone. Exactly the lease read is released, so a lease granted in between is left alone.
     *
     * @return the lease that was freed, or empty if the lock was free
     * @throws IllegalArgumentException if the name is invalid
     */
    public Optional<LockInfo> forceRelease(String name) {
        Arguments.lockName(name);
        try {
            return store.forceRelease(name);
        } catch (RuntimeException | SQLException e) {
            throw backendFailure("forced release", e);
        }
    }

    private static LockBackendException backendFailure(String action, Exception e) {
        String state = SqlFailures.sqlState(e).orElse(null);
        return new LockBackendException(
                null,
                state,
                "database failure during " + action + (state != null ? " (SQLState " + state + ")" : "") + ": " + e,
                e);
    }

    @Override
    public String toString() {
        return "JdbcLockManager[" + store.table() + ", owner " + ownerId() + "]";
    }
}
