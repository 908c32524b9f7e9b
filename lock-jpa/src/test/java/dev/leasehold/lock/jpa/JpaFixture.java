package dev.leasehold.lock.jpa;

import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.jpa.internal.JpaLeaseStore;
import dev.leasehold.lock.spi.LeaseStore;
import dev.leasehold.lock.tck.LeaseStoreFixture;
import dev.leasehold.lock.testing.FailingDataSource;
import dev.leasehold.lock.testing.OwnedPostgres;
import dev.leasehold.lock.testing.SessionZoneDataSource;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestPool;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import java.time.Duration;
import java.util.Map;

/**
 * The TCK fixture of the JPA backend: one Hibernate EntityManagerFactory (over a pool of its own) per test class,
 * shared by every manager of the class; each manager gets a store of its own over it. Crashing a store does nothing:
 * the JPA backend holds no connection or lock between operations, so a crashed holder's leases simply expire.
 */
final class JpaFixture extends LeaseStoreFixture {

    private final TestDatabase db;
    private final String prefix;
    private final TestPool pool;
    private final SessionZoneDataSource zoned;
    private final FailingDataSource failing;
    private final EntityManagerFactory emf;
    private final OwnedPostgres owned;

    JpaFixture(TestDatabase db, String prefix) {
        this(db, prefix, null);
    }

    private JpaFixture(TestDatabase db, String prefix, OwnedPostgres owned) {
        this.db = db;
        this.prefix = prefix;
        this.owned = owned;
        this.pool = db.newPool("jpa-tck", 16);
        this.zoned = new SessionZoneDataSource(pool, db.kind());
        this.failing = new FailingDataSource(zoned);
        this.emf = TestUnits.unit("leasehold-tck", failing, prefix, Map.of());
    }

    /**
     * A fixture over a cluster of the test's own, which {@link #restartDatabase} restarts and {@link #close()} closes;
     * its pool bounds every wait (see {@link OwnedPostgres}).
     */
    static JpaFixture owning(OwnedPostgres pg, String prefix) {
        return new JpaFixture(pg.database(), prefix, pg);
    }

    @Override
    protected LeaseStore newStore(LockSettings settings) {
        return JpaLeaseStore.open(emf, settings.toBuilder().tablePrefix(prefix).build());
    }

    /**
     * Ends every session of the pool the managers share from the server side, on every database ({@link
     * TestPool#endSessions()}): the managers of a test class share one factory, so the holder's connections are
     * everyone's.
     */
    @Override
    public void killConnections(LockManager manager) {
        pool.endSessions();
    }

    /** An application transaction on an EntityManager of the same factory, as the application opens one. */
    @Override
    public void inApplicationTransaction(LockManager manager, Runnable body) {
        EntityManager em = emf.createEntityManager();
        try {
            em.getTransaction().begin();
            em.createNativeQuery("SELECT 1").getSingleResult();
            body.run();
        } finally {
            if (em.getTransaction().isActive()) {
                em.getTransaction().rollback();
            }
            em.close();
        }
    }

    /**
     * Makes the connections of the factory fail, through the {@link FailingDataSource} in front of its pool: the
     * managers of a test class share the factory, so every manager's store fails.
     */
    @Override
    public AutoCloseable failInsideStore(LockManager manager) {
        failing.failing(true);
        return () -> failing.failing(false);
    }

    /**
     * Skews the local time the stores' sessions see (the database's clock itself cannot move): the managers share the
     * factory's pool, so successive sessions take the time zones UTC+offset and UTC-offset in turn, and a grant, the
     * renewals and a contender's look at the row run in sessions whose local times differ by twice the offset.
     */
    @Override
    public void skewStoreClock(Duration offset) {
        zoned.skew(offset, offset.negated());
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
                            + " PostgreSQL cluster of the test's own in JpaRestartTckTest");
        }
        owned.restart(downtime);
    }

    @Override
    public void close() {
        emf.close();
        pool.close();
        try {
            db.dropTablesWithPrefix(prefix);
        } finally {
            if (owned != null) {
                owned.close();
            }
        }
    }
}
