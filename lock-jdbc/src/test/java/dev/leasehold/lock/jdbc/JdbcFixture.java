package dev.leasehold.lock.jdbc;

import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.jdbc.internal.JdbcLeaseStore;
import dev.leasehold.lock.spi.ForwardingLeaseStore;
import dev.leasehold.lock.spi.LeaseStore;
import dev.leasehold.lock.tck.LeaseStoreFixture;
import dev.leasehold.lock.testing.FailingDataSource;
import dev.leasehold.lock.testing.OwnedPgBouncer;
import dev.leasehold.lock.testing.OwnedPostgres;
import dev.leasehold.lock.testing.SessionZoneDataSource;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestPool;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jdbi.v3.core.Jdbi;

/**
 * The TCK fixture of the lease table: every manager gets a store with a connection pool of its own ({@link
 * TestDatabase#newPool}, so that its sessions can be ended from the server side), over one table with a prefix unique
 * to the test class. A {@link FailingDataSource} in front of each pool makes the store's own connections fail, and a
 * {@link SessionZoneDataSource} behind it gives their sessions the time zones {@link #skewStoreClock} asks for.
 *
 * <p>The pools may connect through a PgBouncer in front of the database, while the fixture's own work (table clean-up,
 * row locks) goes to the database directly.
 */
final class JdbcFixture extends LeaseStoreFixture {

    private final TestDatabase db;
    private final String prefix;
    private final OwnedPgBouncer bouncer;
    private final OwnedPostgres owned;
    private final List<PooledStore> stores = new CopyOnWriteArrayList<>();
    private Duration skew = Duration.ZERO;

    JdbcFixture(TestDatabase db, String prefix) {
        this(db, prefix, null, null);
    }

    /**
     * A fixture whose pools connect through {@code bouncer} (a PgBouncer in front of {@code db}, closed with the
     * fixture).
     */
    JdbcFixture(TestDatabase db, String prefix, OwnedPgBouncer bouncer) {
        this(db, prefix, bouncer, null);
    }

    private JdbcFixture(TestDatabase db, String prefix, OwnedPgBouncer bouncer, OwnedPostgres owned) {
        this.db = db;
        this.prefix = prefix;
        this.bouncer = bouncer;
        this.owned = owned;
    }

    /**
     * A fixture over a cluster of the test's own, which {@link #restartDatabase} restarts and {@link #close()} closes;
     * its pools bound every wait (see {@link OwnedPostgres}).
     */
    static JdbcFixture owning(OwnedPostgres pg, String prefix) {
        return new JdbcFixture(pg.database(), prefix, null, pg);
    }

    String prefix() {
        return prefix;
    }

    TestDatabase db() {
        return db;
    }

    @Override
    protected LeaseStore newStore(LockSettings settings) {
        TestPool pool = (bouncer != null ? bouncer.database() : db).newPool("tck", 4);
        LockSettings storeSettings = settings.toBuilder().tablePrefix(prefix).build();
        SessionZoneDataSource zoned = new SessionZoneDataSource(pool, db.kind());
        FailingDataSource failing = new FailingDataSource(zoned);
        synchronized (this) {
            zoned.skew(sessionSkew(stores.size(), skew));
            PooledStore store =
                    new PooledStore(JdbcLeaseStore.open(Jdbi.create(failing), storeSettings), pool, failing, zoned);
            stores.add(store);
            return store;
        }
    }

    /**
     * Skews the local time the stores' sessions see (the database's clock itself cannot move): the sessions of every
     * other manager get the time zone UTC+offset, the others UTC-offset, so that managers disagree about local time by
     * twice the offset. Behind PgBouncer it cannot: a session's time zone does not stick to a client there.
     */
    @Override
    public synchronized void skewStoreClock(Duration offset) {
        if (bouncer != null) {
            throw new UnsupportedOperationException("behind PgBouncer in transaction pooling a client has no session"
                    + " of its own, so a session time zone does not stick to a store; the rule runs on the same"
                    + " PostgreSQL directly in PostgresTckTest");
        }
        skew = offset;
        for (int i = 0; i < stores.size(); i++) {
            stores.get(i).zoned.skew(sessionSkew(i, offset));
        }
    }

    /** The managers take UTC+offset and UTC-offset in turn. */
    static Duration sessionSkew(int manager, Duration offset) {
        return manager % 2 == 0 ? offset : offset.negated();
    }

    @Override
    protected void crashStore(LeaseStore store) {
        // The process dies: its connections go with it, its rows stay until they expire.
        ((PooledStore) store).closePool();
    }

    /**
     * Ends the manager's database sessions from another connection, as an administrator would ({@link
     * TestPool#endSessions()}); behind PgBouncer, where a client has no server connection of its own between
     * transactions, every server connection PgBouncer holds, which includes those the manager's transactions ran on.
     */
    @Override
    public void killConnections(LockManager manager) {
        ((PooledStore) store(manager).orElseThrow()).pool.endSessions();
    }

    /** An application transaction through the manager's own Jdbi, as an application using that Jdbi opens one. */
    @Override
    public void inApplicationTransaction(LockManager manager, Runnable body) {
        PooledStore store = (PooledStore) store(manager).orElseThrow();
        store.store.jdbi().useTransaction(h -> {
            h.createQuery("SELECT COUNT(*) FROM " + store.store.table())
                    .mapTo(Long.class)
                    .one();
            try {
                body.run();
            } finally {
                h.rollback();
            }
        });
    }

    /** Makes the store's own connections fail, through the {@link FailingDataSource} in front of its pool. */
    @Override
    public AutoCloseable failInsideStore(LockManager manager) {
        FailingDataSource failing = ((PooledStore) store(manager).orElseThrow()).failing;
        failing.failing(true);
        return () -> failing.failing(false);
    }

    @Override
    public AutoCloseable lockRow(String name) {
        return db.lockLeaseRow(prefix, name);
    }

    @Override
    public void restartDatabase(Duration downtime) {
        if (owned == null) {
            throw new UnsupportedOperationException(
                    "the test database " + db + " is shared, so it is never restarted; the restart rules run on a"
                            + " PostgreSQL cluster of the test's own in PostgresRestartTckTest");
        }
        owned.restart(downtime);
    }

    @Override
    public void close() {
        try {
            for (PooledStore store : stores) {
                store.closePool();
            }
            db.dropTablesWithPrefix(prefix);
        } finally {
            if (bouncer != null) {
                bouncer.close();
            }
            if (owned != null) {
                owned.close();
            }
        }
    }

    /** A store that owns its pool and closes it when closed. */
    static final class PooledStore extends ForwardingLeaseStore {
        final JdbcLeaseStore store;
        final TestPool pool;
        final FailingDataSource failing;
        final SessionZoneDataSource zoned;

        PooledStore(JdbcLeaseStore store, TestPool pool, FailingDataSource failing, SessionZoneDataSource zoned) {
            super(store);
            this.store = store;
            this.pool = pool;
            this.failing = failing;
            this.zoned = zoned;
        }

        void closePool() {
            store.close();
            pool.close();
        }

        @Override
        public void close() {
            closePool();
        }
    }
}
