package dev.leasehold.lock.advisory;

import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.advisory.internal.AdvisoryLeaseStore;
import dev.leasehold.lock.advisory.internal.ConnectionSource;
import dev.leasehold.lock.spi.ForwardingLeaseStore;
import dev.leasehold.lock.spi.LeaseStore;
import dev.leasehold.lock.tck.LeaseStoreFixture;
import dev.leasehold.lock.testing.FailingDataSource;
import dev.leasehold.lock.testing.OwnedPostgres;
import dev.leasehold.lock.testing.SessionZoneDataSource;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestPool;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jdbi.v3.core.Jdbi;

/**
 * The TCK fixture of the advisory backend: every manager gets a store with a session and a small pool of its own
 * (named after it, so that its connections can be terminated), over one table with a prefix unique to the test class.
 * A crash ends the store's sessions from the server side and closes its pool, as the death of its process would. A
 * {@link FailingDataSource} in front of each pool makes the store's own connections fail, and a {@link
 * SessionZoneDataSource} behind it gives their sessions the time zones {@link #skewStoreClock} asks for.
 */
final class AdvisoryFixture extends LeaseStoreFixture {

    private final TestDatabase db;
    private final String prefix;
    private final OwnedPostgres owned;
    private final List<PooledStore> stores = new CopyOnWriteArrayList<>();
    private Duration skew = Duration.ZERO;

    AdvisoryFixture(TestDatabase db, String prefix) {
        this(db, prefix, null);
    }

    private AdvisoryFixture(TestDatabase db, String prefix, OwnedPostgres owned) {
        this.db = db;
        this.prefix = prefix;
        this.owned = owned;
    }

    /**
     * A fixture over a cluster of the test's own, which {@link #restartDatabase} restarts and {@link #close()} closes;
     * its pools bound every wait.
     */
    static AdvisoryFixture owning(OwnedPostgres pg, String prefix) {
        return new AdvisoryFixture(pg.database(), prefix, pg);
    }

    @Override
    protected LeaseStore newStore(LockSettings settings) {
        TestPool pool = db.newPool("adv-tck", 8);
        LockSettings storeSettings = settings.toBuilder().tablePrefix(prefix).build();
        SessionZoneDataSource zoned = new SessionZoneDataSource(pool, db.kind());
        FailingDataSource failing = new FailingDataSource(zoned);
        Jdbi jdbi = Jdbi.create(failing);
        synchronized (this) {
            zoned.skew(sessionSkew(stores.size(), skew));
            AdvisoryLeaseStore store = AdvisoryLeaseStore.open(
                    ConnectionSource.of(jdbi), jdbi, storeSettings, AdvisoryOptions.from(storeSettings));
            PooledStore pooled = new PooledStore(store, pool, jdbi, failing, zoned);
            stores.add(pooled);
            return pooled;
        }
    }

    /**
     * Skews the local time the stores' sessions see (the database's clock itself cannot move): the sessions of every
     * other manager get the time zone UTC+offset, the others UTC-offset, so that managers disagree about local time by
     * twice the offset. A session a store already holds keeps its zone.
     */
    @Override
    public synchronized void skewStoreClock(Duration offset) {
        skew = offset;
        for (int i = 0; i < stores.size(); i++) {
            stores.get(i).zoned.skew(sessionSkew(i, offset));
        }
    }

    /** The managers take UTC+offset and UTC-offset in turn. */
    private static Duration sessionSkew(int manager, Duration offset) {
        return manager % 2 == 0 ? offset : offset.negated();
    }

    /** Ends the store's sessions from the server side, as the death of its process would, and closes its pool. */
    @Override
    protected void crashStore(LeaseStore store) {
        PooledStore pooled = (PooledStore) store;
        pooled.pool.endSessions();
        pooled.pool.close();
    }

    @Override
    public void killConnections(LockManager manager) {
        ((PooledStore) store(manager).orElseThrow()).pool.endSessions();
    }

    /** An application transaction through a Jdbi over the manager's own pool, as an application using it opens one. */
    @Override
    public void inApplicationTransaction(LockManager manager, Runnable body) {
        PooledStore store = (PooledStore) store(manager).orElseThrow();
        store.jdbi.useTransaction(h -> {
            h.createQuery("SELECT count(*) FROM " + prefix + "distributed_locks")
                    .mapTo(Long.class)
                    .one();
            try {
                body.run();
            } finally {
                h.rollback();
            }
        });
    }

    /**
     * Makes the store's own connections fail, its session's included, through the {@link FailingDataSource} in front
     * of its pool; the failures leave the session alive, so its advisory locks stay held.
     */
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
                            + " PostgreSQL cluster of the test's own in AdvisoryRestartTckTest");
        }
        owned.restart(downtime);
    }

    @Override
    public void close() {
        for (PooledStore store : stores) {
            store.close();
        }
        try {
            db.dropTablesWithPrefix(prefix);
        } finally {
            if (owned != null) {
                owned.close();
            }
        }
    }

    /** A store that owns its pool and closes it when closed. */
    static final class PooledStore extends ForwardingLeaseStore {
        final AdvisoryLeaseStore store;
        final TestPool pool;
        final Jdbi jdbi;
        final FailingDataSource failing;
        final SessionZoneDataSource zoned;

        PooledStore(
                AdvisoryLeaseStore store,
                TestPool pool,
                Jdbi jdbi,
                FailingDataSource failing,
                SessionZoneDataSource zoned) {
            super(store);
            this.store = store;
            this.pool = pool;
            this.jdbi = jdbi;
            this.failing = failing;
            this.zoned = zoned;
        }

        @Override
        public void close() {
            store.close();
            pool.close();
        }
    }
}
