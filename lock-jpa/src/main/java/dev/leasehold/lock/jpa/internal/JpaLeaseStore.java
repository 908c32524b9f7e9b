package dev.leasehold.lock.jpa.internal;

import dev.leasehold.lock.LockConfigurationException;
import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.internal.Arguments;
import dev.leasehold.lock.jpa.JpaLockManager;
import dev.leasehold.lock.jpa.LeaseRow;
import dev.leasehold.lock.jpa.Wait;
import dev.leasehold.lock.spi.AwaitOutcome;
import dev.leasehold.lock.spi.LeaseGrant;
import dev.leasehold.lock.spi.LeaseKey;
import dev.leasehold.lock.spi.LeaseStore;
import dev.leasehold.lock.table.Dialect;
import dev.leasehold.lock.table.internal.BusyRowRetries;
import dev.leasehold.lock.table.internal.LeaseStatements;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceUnitTransactionType;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The lease table through JPA: every operation is a short transaction of its own on a new EntityManager of the
 * application's factory, which reads the {@link LeaseRow} with a pessimistic write lock and a lock timeout, compares
 * its expiry with the database clock read in the same transaction, changes the entity and commits. Between operations
 * the store holds no connection and no transaction. Rows are deleted only by a purge of idle names, which raises the
 * table's token floor first; a grant's token is the row's previous token plus one, computed in the granting
 * transaction, and a new row starts from the floor.
 *
 * <p>An acquire first looks at the row without locking it, so that contenders never lock a row whose lease holds (and
 * so never delay its holder's renewals); a name without a row gets a free row from a native insert that cannot fail on
 * a duplicate (PostgreSQL {@code ON CONFLICT DO NOTHING}, MariaDB {@code ON DUPLICATE KEY UPDATE} no-op; H2 a guarded
 * insert whose duplicate-key failure is rolled back in its own transaction), then the locking transaction grants it.
 *
 * <p>Lock timeouts: the row lock is waited for at most the settings' {@code rowLockTimeout}. On MariaDB, whose waits
 * count whole seconds, an acquire rounds it down and a renewal or release rounds it up; where the acquire's wait rounds
 * down to NOWAIT (100 ms, the default), it tries again for up to {@code rowLockTimeout} ({@link BusyRowRetries}),
 * because the row it meets locked right after seeing the lease free is most often a release or a renewal that commits
 * within milliseconds. In {@link #tryAcquire} a lock still not available then means someone is
 * busy with the row (another grant, or an application transaction holding it with an in-transaction lock), so the
 * answer is "held": empty, after rolling back. In {@link #renew}, {@link #renewAll} and
 * {@link #release} it is a transient failure with SQLState 55P03 on every database, which the engine retries.
 *
 * <p>Waiting ({@link #awaitChange}): a release through the same EntityManagerFactory wakes waiters in this JVM at
 * once; other changes are seen by looking at the row (without locking it) every poll interval.
 *
 * <p>This class is thread-safe.
 */
public final class JpaLeaseStore implements LeaseStore {

    private static final int BATCH = 500;
    private static final Duration MIN_POLL_INTERVAL = Duration.ofMillis(50);
    private static final Duration MAX_POLL_INTERVAL = Duration.ofSeconds(1);

    private final EntityManagerFactory emf;
    private final LeaseStatements sql;
    private final Wait acquireWait;
    private final Duration acquireRetryFor;
    private final Wait lockWait;
    private final Duration pollInterval;
    private final ReleaseSignals signals;

    /**
     * A store over {@code emf}, whose lease rows live in the table of {@code sql}; row locks are waited for at most
     * {@code rowLockTimeout}, and a waiter looks at the row every {@code pollInterval}.
     */
    public JpaLeaseStore(
            EntityManagerFactory emf, LeaseStatements sql, Duration rowLockTimeout, Duration pollInterval) {
        this.emf = emf;
        this.sql = sql;
        this.acquireWait = acquireWait(sql.dialect(), rowLockTimeout);
        this.acquireRetryFor = BusyRowRetries.retryFor(acquireWait.kind() == Wait.Kind.NOWAIT, rowLockTimeout);
        this.lockWait = Wait.timeout(rowLockTimeout);
        this.pollInterval = pollInterval;
        this.signals = ReleaseSignals.of(emf);
    }

    /**
     * Opens the store for these settings over {@code emf}: checks the factory, that the table its unit maps
     * {@link LeaseRow} to is the one the settings name, and the table itself (creating it when missing and allowed).
     *
     * @throws IllegalArgumentException if an argument is null
     * @throws LockConfigurationException if the factory or its table cannot be used; the message says what to do
     */
    public static JpaLeaseStore open(EntityManagerFactory emf, LockSettings settings) {
        Arguments.notNull(emf, "entityManagerFactory");
        Arguments.notNull(settings, "settings");
        UnitMapping mapping = UnitMapping.of(emf);
        requireResourceLocal(emf);
        requireTable(mapping, settings);
        Setup.ensure(emf, settings);
        return new JpaLeaseStore(
                emf, mapping.statements(settings.rowLockTimeout()), settings.rowLockTimeout(), pollInterval(settings));
    }

    /** How often a waiter looks at the row: a quarter of the lease time, between 50 ms and 1 s. */
    static Duration pollInterval(LockSettings settings) {
        Duration quarter = settings.leaseTime().dividedBy(4);
        return quarter.compareTo(MIN_POLL_INTERVAL) < 0
                ? MIN_POLL_INTERVAL
                : quarter.compareTo(MAX_POLL_INTERVAL) > 0 ? MAX_POLL_INTERVAL : quarter;
    }

    private static void requireResourceLocal(EntityManagerFactory emf) {
        PersistenceUnitTransactionType type;
        try {
            type = emf.getTransactionType();
        } catch (LinkageError | RuntimeException e) {
            return; // a provider older than JPA 3.2: getTransaction() says it if the unit is JTA
        }
        if (type == PersistenceUnitTransactionType.JTA) {
            throw new LockConfigurationException("the jpa backend runs each lease operation in a resource-local"
                    + " transaction of its own; this persistence unit uses JTA: give Leasehold a RESOURCE_LOCAL unit"
                    + " over the same database");
        }
    }

    private static void requireTable(UnitMapping mapping, LockSettings settings) {
        boolean tableFits = mapping.tableName().equals(settings.tableName());
        boolean schemaFits = settings.schema().isEmpty() || settings.schema().equals(mapping.schema());
        if (tableFits && schemaFits) {
            return;
        }
        String wanted = settings.schema().map(s -> s + ".").orElse("") + settings.tableName();
        throw new LockConfigurationException("the persistence unit maps " + LeaseRow.class.getSimpleName()
                + " to the table " + mapping.table() + ", but these lock settings name " + wanted + ": set the"
                + " persistence-unit property " + JpaLockManager.TABLE_PREFIX_PROPERTY + "=" + settings.tablePrefix()
                + settings.schema()
                        .map(s -> " and " + JpaLockManager.SCHEMA_PROPERTY + "=" + s)
                        .orElse("")
                + " (or give the settings the unit's schema and prefix)");
    }

    /**
     * How an acquire waits for a row another transaction holds, given the settings' {@code rowLockTimeout}: that long,
     * except on MariaDB, whose waits count whole seconds and which rounds it down (so 100 ms means NOWAIT: a row held
     * by another transaction means the lock is being taken, released or renewed right now).
     */
    static Wait acquireWait(Dialect dialect, Duration rowLockTimeout) {
        return dialect == Dialect.MARIADB
                ? Wait.timeout(Duration.ofSeconds(rowLockTimeout.toSeconds()))
                : Wait.timeout(rowLockTimeout);
    }

    /** The lease statements of the table, for the native parts. */
    public LeaseStatements statements() {
        return sql;
    }

    /** The lease table as SQL. */
    public String table() {
        return sql.table();
    }

    @Override
    public Optional<LeaseGrant> tryAcquire(String name, String owner, Duration leaseTime) throws SQLException {
        Optional<Boolean> held = Tx.run(emf, em -> RowLocking.leaseHeld(em, sql, name));
        if (held.isPresent() && held.get()) {
            return Optional.empty();
        }
        long started = System.nanoTime();
        while (true) {
            try {
                return grantSeenFree(name, owner, leaseTime, held.isEmpty());
            } catch (RuntimeException e) {
                if (!LockFailures.isLockNotAvailable(e)) {
                    throw e;
                }
                if (!BusyRowRetries.pauseBeforeNextTry(started, acquireRetryFor)) {
                    return Optional.empty();
                }
            }
        }
    }

    /** Grants a lease the unlocked look saw free, inserting the row first when there was none. */
    private Optional<LeaseGrant> grantSeenFree(String name, String owner, Duration leaseTime, boolean noRow)
            throws SQLException {
        boolean insert = noRow;
        for (int attempt = 0; attempt < 3; attempt++) {
            if (insert) {
                RowLocking.insertIfAbsent(emf, sql, name, acquireWait.timeout().orElse(Duration.ZERO));
            }
            Optional<Optional<LeaseGrant>> granted = Tx.run(emf, em -> grant(em, name, owner, leaseTime));
            if (granted.isPresent()) {
                return granted.get();
            }
            // The row is gone (purged, or deleted by hand, since the look): insert it again, from the floor.
            insert = true;
        }
        return Optional.empty();
    }

    /** The grant on the locked row: empty when the row is gone, an empty grant when the lock is held. */
    private Optional<Optional<LeaseGrant>> grant(EntityManager em, String name, String owner, Duration leaseTime) {
        LeaseRow row = RowLocking.lock(em, sql, name, acquireWait);
        if (row == null) {
            Tx.rollbackOnly(em);
            return Optional.empty();
        }
        Instant now = RowLocking.now(em, sql);
        if (row.isHeldAt(now)) {
            Tx.rollbackOnly(em);
            return Optional.of(Optional.empty());
        }
        Instant expiresAt = now.plus(RowLocking.micros(leaseTime));
        long token = row.grant(owner, now, expiresAt);
        return Optional.of(Optional.of(new LeaseGrant(token, now, expiresAt)));
    }

    /**
     * Purges idle names in batches of {@link LeaseStatements#PURGE_BATCH}, one transaction each, with the lease
     * table's native statements: lock the token floor's row, read the batch, raise the floor to its largest token,
     * delete the rows still idle with a token at most the floor ({@code lock-jdbc}'s README describes the floor).
     */
    @Override
    public long purgeIdle(Duration idleFor) throws SQLException {
        long since = -LeaseStatements.micros(idleFor);
        long purged = 0;
        while (true) {
            long[] batch;
            try {
                batch = Tx.run(
                        emf, em -> IdlePurge.batch(em, sql, lockWait.timeout().orElseThrow(), since));
            } catch (RuntimeException e) {
                throw transientIfLockFailure(e, "purge of idle names");
            }
            purged += batch[1];
            if (batch[0] < LeaseStatements.PURGE_BATCH) {
                return purged;
            }
        }
    }

    @Override
    public Optional<Instant> renew(String name, String owner, long token, Duration leaseTime) throws SQLException {
        try {
            return Tx.run(emf, em -> {
                LeaseRow row = RowLocking.lock(em, sql, name, lockWait);
                Instant now = RowLocking.now(em, sql);
                if (row == null || !row.isHeldBy(owner, token, now)) {
                    Tx.rollbackOnly(em);
                    return Optional.<Instant>empty();
                }
                Instant expiresAt = now.plus(RowLocking.micros(leaseTime));
                row.extendTo(expiresAt);
                return Optional.of(expiresAt);
            });
        } catch (RuntimeException e) {
            throw transientIfLockFailure(e, "renewal of lock '" + name + "'");
        }
    }

    @Override
    public Map<String, Instant> renewAll(String owner, Collection<LeaseKey> leases, Duration leaseTime)
            throws SQLException {
        Map<String, Instant> renewed = new LinkedHashMap<>();
        List<LeaseKey> all = new ArrayList<>(leases);
        for (int from = 0; from < all.size(); from += BATCH) {
            List<LeaseKey> chunk = all.subList(from, Math.min(all.size(), from + BATCH));
            try {
                renewed.putAll(Tx.run(emf, em -> renewChunk(em, owner, chunk, leaseTime)));
            } catch (RuntimeException e) {
                throw transientIfLockFailure(e, "renewal of " + chunk.size() + " leases of owner " + owner);
            }
        }
        return renewed;
    }

    private Map<String, Instant> renewChunk(EntityManager em, String owner, List<LeaseKey> chunk, Duration leaseTime) {
        Map<String, Long> tokens = new HashMap<>();
        for (LeaseKey key : chunk) {
            tokens.put(key.name(), key.token());
        }
        List<String> names = new ArrayList<>(tokens.keySet());
        names.sort(null);
        // Rows are locked in name order, so that two renewals over overlapping rows cannot deadlock.
        List<LeaseRow> rows = lockAll(em, names);
        Instant now = RowLocking.now(em, sql);
        Instant expiresAt = now.plus(RowLocking.micros(leaseTime));
        Map<String, Instant> renewed = new LinkedHashMap<>();
        for (LeaseRow row : rows) {
            if (row.isHeldBy(owner, tokens.get(row.getName()), now)) {
                renewed.put(row.getName(), expiresAt);
            }
        }
        if (renewed.isEmpty()) {
            Tx.rollbackOnly(em);
            return renewed;
        }
        // One bulk update for the chunk instead of one flushed UPDATE per entity: the rows checked above stay locked
        // by this transaction, so the names still identify exactly the leases that were found held.
        em.createQuery("UPDATE " + LeaseRow.ENTITY_NAME + " r SET r.expiresAt = :expiresAt WHERE r.name IN :names")
                .setParameter("expiresAt", expiresAt)
                .setParameter("names", renewed.keySet())
                .executeUpdate();
        return renewed;
    }

    private List<LeaseRow> lockAll(EntityManager em, List<String> names) {
        String jpql = "SELECT r FROM " + LeaseRow.ENTITY_NAME + " r WHERE r.name IN :names ORDER BY r.name";
        Duration timeout = lockWait.timeout().orElseThrow();
        Optional<String> first = sql.lockRowWaiting(timeout);
        if (first.isPresent()) {
            // H2 and MariaDB: take the row locks with a real timeout first, one row at a time in name order.
            for (String name : names) {
                em.createNativeQuery(first.get()).setParameter(1, name).getResultList();
            }
            return em.createQuery(jpql, LeaseRow.class)
                    .setParameter("names", names)
                    .setLockMode(LockModeType.PESSIMISTIC_WRITE)
                    .getResultList();
        }
        return em.createQuery(jpql, LeaseRow.class)
                .setParameter("names", names)
                .setLockMode(LockModeType.PESSIMISTIC_WRITE)
                .setHint(RowLocking.TIMEOUT_HINT, RowLocking.millis(timeout))
                .getResultList();
    }

    @Override
    public boolean release(String name, String owner, long token) throws SQLException {
        try {
            boolean released = Tx.run(emf, em -> {
                LeaseRow row = RowLocking.lock(em, sql, name, lockWait);
                Instant now = RowLocking.now(em, sql);
                if (row == null || !row.isHeldBy(owner, token, now)) {
                    Tx.rollbackOnly(em);
                    return false;
                }
                row.release(now);
                return true;
            });
            if (released) {
                signals.released(key(name));
            }
            return released;
        } catch (RuntimeException e) {
            throw transientIfLockFailure(e, "release of lock '" + name + "'");
        }
    }

    /**
     * Releases with a minimum hold in one transaction on the locked row: if the lease holds, its expiry becomes the
     * later of the database's time and its {@code acquiredAt} plus the hold, keeping the owner while the hold lasts; a
     * hold already over is a plain release.
     */
    @Override
    public boolean releaseAfter(String name, String owner, long token, Duration minHold) throws SQLException {
        try {
            // Empty: no such lease; false: held until the hold ends; true: freed at once.
            Optional<Boolean> freed = Tx.run(emf, em -> {
                LeaseRow row = RowLocking.lock(em, sql, name, lockWait);
                Instant now = RowLocking.now(em, sql);
                if (row == null || !row.isHeldBy(owner, token, now)) {
                    Tx.rollbackOnly(em);
                    return Optional.<Boolean>empty();
                }
                Instant holdEnd = row.getAcquiredAt().plus(RowLocking.micros(minHold));
                if (holdEnd.isAfter(now)) {
                    row.extendTo(holdEnd);
                    return Optional.of(false);
                }
                row.release(now);
                return Optional.of(true);
            });
            if (freed.isEmpty()) {
                return false;
            }
            if (freed.get()) {
                signals.released(key(name));
            }
            return true;
        } catch (RuntimeException e) {
            throw transientIfLockFailure(e, "release of lock '" + name + "'");
        }
    }

    /**
     * Waits until the lock is free by the database clock or {@code maxWait} passes. A release through this
     * EntityManagerFactory wakes the waiter at once; any other change (a release by another process, an expiry) is
     * seen at the next look at the row, made every poll interval (a quarter of the lease time, between 50 ms and 1 s). Looks read the row without locking it.
     */
    @Override
    public AwaitOutcome awaitChange(String name, Duration maxWait) throws InterruptedException, SQLException {
        String key = key(name);
        long version = signals.watch(key);
        try {
            long deadline = System.nanoTime() + maxWait.toNanos();
            while (true) {
                // Look after watching: a release between the look and the wait is still heard.
                Optional<Boolean> held = Tx.run(emf, em -> RowLocking.leaseHeld(em, sql, name));
                if (!held.orElse(false)) {
                    return AwaitOutcome.CHANGED;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return AwaitOutcome.TIMED_OUT;
                }
                if (signals.await(key, version, Math.min(left, pollInterval.toNanos()))) {
                    return AwaitOutcome.CHANGED;
                }
            }
        } finally {
            signals.unwatch(key);
        }
    }

    private String key(String name) {
        return sql.table() + '\u0000' + name;
    }

    @Override
    public Optional<LockInfo> inspect(String name) throws SQLException {
        return Tx.run(emf, em -> {
            LeaseRow row = em.find(LeaseRow.class, name);
            Instant now = RowLocking.now(em, sql);
            Tx.rollbackOnly(em);
            if (row == null || !row.isHeldAt(now)) {
                return Optional.empty();
            }
            return Optional.of(
                    new LockInfo(name, row.getOwnerId(), row.getToken(), row.getAcquiredAt(), row.getExpiresAt()));
        });
    }

    /**
     * Whether the lease holds, checked inside the caller's transaction on {@code em}: the row is share-locked, so that
     * nobody can take the lock over until that transaction ends.
     */
    public boolean verifyHeld(EntityManager em, String name, String owner, long token) {
        return !em.createNativeQuery(sql.verify())
                .setParameter(1, name)
                .setParameter(2, owner)
                .setParameter(3, token)
                .setFlushMode(jakarta.persistence.FlushModeType.COMMIT)
                .getResultList()
                .isEmpty();
    }

    private static RuntimeException transientIfLockFailure(RuntimeException e, String what) throws SQLException {
        if (LockFailures.isLockNotAvailable(e)) {
            throw LockFailures.lockNotAvailable(what, e);
        }
        return e;
    }

    @Override
    public String toString() {
        return "JpaLeaseStore[" + sql.table() + "]";
    }
}
