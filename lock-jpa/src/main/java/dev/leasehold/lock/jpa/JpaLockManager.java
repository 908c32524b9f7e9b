package dev.leasehold.lock.jpa;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockBackendException;
import dev.leasehold.lock.LockConfigurationException;
import dev.leasehold.lock.LockExpiredException;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.core.LeaseLockManager;
import dev.leasehold.lock.internal.Arguments;
import dev.leasehold.lock.jpa.internal.JpaLeaseStore;
import dev.leasehold.lock.spi.SqlFailures;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.PersistenceException;

/**
 * The {@code jpa} backend's {@link LockManager}: leases kept as {@link LeaseRow} entities of the application's own
 * EntityManagerFactory (a Hibernate SessionFactory is one), in the table {@code {schema}.{prefix}distributed_locks}
 * that lock-jdbc and lock-advisory use too, so managers of all three exclude each other on it and tokens keep growing
 * across them. Also gives the transactional check {@link #verifyHeld(EntityManager, Lease)} and in-transaction locks
 * ({@link #rowLocks()}).
 *
 * <p>{@code Locks.builder().entityManagerFactory(emf).build()} returns one; {@link #create(EntityManagerFactory,
 * LockSettings)} builds one directly. Each lease operation is a short resource-local transaction of its own on a new
 * EntityManager, which reads the row with {@code PESSIMISTIC_WRITE} and a lock timeout, compares its expiry with the
 * database clock, updates it and commits: no connection or transaction is held between operations, and the lock
 * failures of JPA and Hibernate are rolled back and mapped to Leasehold's exceptions.
 *
 * <p><b>The table.</b> A JPA mapping is fixed when the factory is built, so the table is named by persistence-unit
 * properties: {@value #SCHEMA_PROPERTY} and {@value #TABLE_PREFIX_PROPERTY} (default none: {@code distributed_locks}).
 * With Hibernate, {@link LeaseRow} joins every persistence unit on its own, also one that lists only its own classes;
 * {@value #CONTRIBUTE_PROPERTY}{@code =false} keeps it out of a unit. Building a manager checks that the table the
 * unit maps equals the one its {@link LockSettings} name (schema and prefix), and fails with a {@link
 * LockConfigurationException} naming the property to set when they differ. It then creates the table when missing
 * (unless {@code createTableIfMissing} is off), with lock-jdbc's DDL, and reads each of its columns once.
 *
 * <p><b>Row lock timeout.</b> A lease operation waits for the row lock at most the settings' {@code rowLockTimeout}
 * (default 100 ms; MariaDB counts whole seconds: an acquire rounds down, so 100 ms means NOWAIT, a renewal or release
 * rounds up to at least 1 s). An acquire that cannot lock the row in that time answers "held"; a renewal or release
 * retries it as a transient failure (SQLState 55P03). A waiting {@code acquire} wakes at once when a lease is released
 * through the same EntityManagerFactory in this JVM, and otherwise looks at the row (without locking it) every quarter
 * of the lease time, between 50 ms and 1 s.
 *
 * <p>The persistence unit must use resource-local transactions. This class is thread-safe.
 */
public final class JpaLockManager extends LeaseLockManager {

    /** Persistence-unit property: the schema of the lease table (MariaDB: the database). Default: the unit's. */
    public static final String SCHEMA_PROPERTY = "leasehold.jpa.schema";

    /** Persistence-unit property: the prefix of the lease table's name. Default: none. */
    public static final String TABLE_PREFIX_PROPERTY = "leasehold.jpa.tablePrefix";

    /** Persistence-unit property: {@code false} keeps Hibernate from adding {@link LeaseRow} to the unit. */
    public static final String CONTRIBUTE_PROPERTY = "leasehold.jpa.contribute";

    private final EntityManagerFactory emf;
    private final JpaLeaseStore store;

    private JpaLockManager(EntityManagerFactory emf, JpaLeaseStore store, LockSettings settings) {
        super(store, settings, JpaLockProvider.NAME);
        this.emf = emf;
        this.store = store;
    }

    /**
     * A manager over the EntityManagerFactory among the settings' resources.
     *
     * @throws LockConfigurationException if there is none, or it cannot be used (see {@link
     *     #create(EntityManagerFactory, LockSettings)})
     */
    public static JpaLockManager create(LockSettings settings) {
        Arguments.notNull(settings, "settings");
        EntityManagerFactory emf = settings.resource(EntityManagerFactory.class)
                .orElseThrow(() -> new LockConfigurationException("the jpa backend needs the application's"
                        + " EntityManagerFactory: Locks.builder().entityManagerFactory(emf)"));
        return create(emf, settings);
    }

    /**
     * A manager over {@code emf}.
     *
     * @throws IllegalArgumentException if an argument is null
     * @throws LockConfigurationException if the factory is closed or uses JTA transactions, does not manage {@link
     *     LeaseRow}, maps it to another table than the settings name, its database is not PostgreSQL, H2 or
     *     MariaDB/MySQL, or the table is missing and cannot be created or does not fit
     */
    public static JpaLockManager create(EntityManagerFactory emf, LockSettings settings) {
        return new JpaLockManager(emf, JpaLeaseStore.open(emf, settings), settings);
    }

    /** The lease table as SQL, quoted and qualified as the persistence unit maps it. */
    public String table() {
        return store.table();
    }

    /** In-transaction locks on this manager's lease table. */
    public JpaRowLocks rowLocks() {
        return new JpaRowLocks(emf, store.statements());
    }

    /**
     * Verifies, inside the caller's transaction on {@code em}, that {@code lease} still holds by the database clock,
     * and share-locks its row so that nobody can take the lock over until that transaction ends. A write made in the
     * same transaction afterwards therefore commits only while the lease holds.
     *
     * <p>Keep such transactions shorter than the lease time: while the row is share-locked, the lease's own renewals
     * wait for the transaction too.
     *
     * @throws LockExpiredException if the lease is not valid locally or the database shows it expired or taken over;
     *     the transaction is marked rollback-only
     * @throws LockBackendException if the database fails; the transaction is marked rollback-only
     * @throws IllegalStateException if {@code em} is not joined to an active transaction (the row lock would end at
     *     once)
     * @throws IllegalArgumentException if an argument is null or {@code lease} is not one of this manager's
     */
    public void verifyHeld(EntityManager em, Lease lease) {
        Arguments.notNull(em, "em");
        Arguments.notNull(lease, "lease");
        if (!lease.ownerId().equals(ownerId())) {
            throw new IllegalArgumentException("lease of lock '" + lease.name() + "' belongs to owner "
                    + lease.ownerId() + ", not to this manager (" + ownerId() + ")");
        }
        if (!em.isOpen() || !em.isJoinedToTransaction()) {
            throw new IllegalStateException("verifyHeld must run inside the transaction it protects: begin one first"
                    + " (em.getTransaction().begin(), or @Transactional)");
        }
        if (!lease.isValid()) {
            throw expired(em, lease, "the lease is no longer valid here");
        }
        boolean held;
        try {
            held = store.verifyHeld(em, lease.name(), lease.ownerId(), lease.token());
        } catch (PersistenceException e) {
            markRollbackOnly(em);
            String state = SqlFailures.sqlState(e).orElse(null);
            throw new LockBackendException(
                    lease.name(),
                    state,
                    "database failure while verifying the lease on lock '" + lease.name() + "'"
                            + (state != null ? " (SQLState " + state + ")" : "") + ": " + e,
                    e);
        }
        if (!held) {
            throw expired(em, lease, "the database shows it expired or taken over");
        }
    }

    private static LockExpiredException expired(EntityManager em, Lease lease, String why) {
        markRollbackOnly(em);
        return new LockExpiredException(
                lease.name(),
                lease.token(),
                "lease on lock '" + lease.name() + "' (token " + lease.token() + ") does not hold: " + why
                        + "; roll this transaction back",
                null);
    }

    private static void markRollbackOnly(EntityManager em) {
        try {
            em.getTransaction().setRollbackOnly();
        } catch (IllegalStateException | PersistenceException e) {
            // JTA: the exception itself tells the caller to roll back.
        }
    }

    /** Closes gracefully, as {@link dev.leasehold.lock.LockManager#close()} describes; the EntityManagerFactory stays open. */
    @Override
    public void close() {
        super.close();
    }

    @Override
    public String toString() {
        return "JpaLockManager[" + store.table() + ", owner " + ownerId() + "]";
    }
}
