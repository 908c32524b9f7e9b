package dev.leasehold.lock.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.jdbc.internal.JdbcLeaseStore;
import dev.leasehold.lock.spi.LeaseStore;
import dev.leasehold.lock.tck.ForwardingLeaseStore;
import dev.leasehold.lock.tck.LeaseStoreFixture;
import dev.leasehold.lock.tck.db.DatabaseKind;
import dev.leasehold.lock.tck.db.TestDatabase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;

/**
 * The TCK fixture of the lease table: every manager gets a store with a connection pool of its own (named after it,
 * so that its connections can be killed), over one table with a prefix unique to the test class.
 */
final class JdbcFixture extends LeaseStoreFixture {

    private static final AtomicInteger POOLS = new AtomicInteger();

    private final TestDatabase db;
    private final String prefix;
    private final List<PooledStore> stores = new CopyOnWriteArrayList<>();

    JdbcFixture(TestDatabase db, String prefix) {
        this.db = db;
        this.prefix = prefix;
    }

    String prefix() {
        return prefix;
    }

    TestDatabase db() {
        return db;
    }

    /** A pool of its own, at most {@code size} connections, none kept idle, named for pg_stat_activity. */
    static HikariDataSource pool(TestDatabase db, String name, int size) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(db.jdbcUrl());
        config.setUsername(db.user());
        config.setPassword(db.password());
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(0);
        config.setPoolName(name);
        if (db.kind() == DatabaseKind.POSTGRESQL) {
            config.addDataSourceProperty("ApplicationName", name);
        }
        return new HikariDataSource(config);
    }

    @Override
    protected LeaseStore newStore(LockSettings settings) {
        String name = "leasehold-tck-" + POOLS.incrementAndGet();
        HikariDataSource pool = pool(db, name, 4);
        LockSettings storeSettings = settings.toBuilder().tablePrefix(prefix).build();
        PooledStore store = new PooledStore(JdbcLeaseStore.open(Jdbi.create(pool), storeSettings), pool, name);
        stores.add(store);
        return store;
    }

    @Override
    protected void crashStore(LeaseStore store) {
        // The process dies: its connections go with it, its rows stay until they expire.
        ((PooledStore) store).closePool();
    }

    @Override
    public void killConnections(LockManager manager) {
        if (db.kind() != DatabaseKind.POSTGRESQL) {
            throw new UnsupportedOperationException("killing connections is implemented for PostgreSQL only");
        }
        PooledStore store = (PooledStore) store(manager).orElseThrow();
        Jdbi.create(db.dataSource())
                .useHandle(h -> h.createQuery("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                                + " WHERE application_name = :name")
                        .bind("name", store.poolName)
                        .mapTo(Boolean.class)
                        .list());
    }

    @Override
    public void close() {
        for (PooledStore store : stores) {
            store.closePool();
        }
        db.dropTablesWithPrefix(prefix);
    }

    /** A store that owns its pool and closes it when closed. */
    static final class PooledStore extends ForwardingLeaseStore {
        final JdbcLeaseStore store;
        final HikariDataSource pool;
        final String poolName;

        PooledStore(JdbcLeaseStore store, HikariDataSource pool, String poolName) {
            super(store);
            this.store = store;
            this.pool = pool;
            this.poolName = poolName;
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
