package dev.leasehold.lock.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.jdbc.internal.JdbcLeaseStore;
import dev.leasehold.lock.spi.ForwardingLeaseStore;
import dev.leasehold.lock.spi.LeaseStore;
import dev.leasehold.lock.tck.LeaseStoreFixture;
import dev.leasehold.lock.testing.DatabaseKind;
import dev.leasehold.lock.testing.OwnedPgBouncer;
import dev.leasehold.lock.testing.OwnedPostgres;
import dev.leasehold.lock.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.jdbi.v3.core.Jdbi;

/**
 * The TCK fixture of the lease table: every manager gets a store with a connection pool of its own (named after it, or
 * recording its session ids, so that its connections can be killed), over one table with a prefix unique to the test
 * class.
 *
 * <p>The pools may connect through a PgBouncer in front of the database, while the fixture's own work (table clean-up,
 * row locks, killing sessions) goes to the database directly.
 */
final class JdbcFixture extends LeaseStoreFixture {

    private static final AtomicInteger POOLS = new AtomicInteger();

    private final TestDatabase db;
    private final String prefix;
    private final OwnedPgBouncer bouncer;
    private final OwnedPostgres owned;
    private final List<PooledStore> stores = new CopyOnWriteArrayList<>();

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
     * its pools bound every wait ({@link OwnedPostgres#newDataSource}).
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

    /**
     * A pool that records the database session id of every connection it opens (MariaDB {@code CONNECTION_ID()}, H2
     * {@code SESSION_ID()}), so that the sessions can be ended from another connection.
     */
    private static HikariDataSource recordingPool(TestDatabase db, String name, int size, List<Long> sessions) {
        String idQuery = db.kind() == DatabaseKind.MARIADB ? "SELECT CONNECTION_ID()" : "SELECT SESSION_ID()";
        DriverDataSource driver = new DriverDataSource(db);
        HikariConfig config = new HikariConfig();
        config.setDataSource(new DriverDataSource(db) {
            @Override
            public Connection getConnection() throws SQLException {
                Connection c = driver.getConnection();
                try (Statement s = c.createStatement();
                        ResultSet rs = s.executeQuery(idQuery)) {
                    rs.next();
                    sessions.add(rs.getLong(1));
                }
                return c;
            }
        });
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(0);
        config.setPoolName(name);
        return new HikariDataSource(config);
    }

    @Override
    protected LeaseStore newStore(LockSettings settings) {
        // The JVM's pid keeps the name (and the kill by name) away from pools of test runs in other JVMs.
        String name = "leasehold-tck-" + ProcessHandle.current().pid() + "-" + POOLS.incrementAndGet();
        List<Long> sessions = new CopyOnWriteArrayList<>();
        HikariDataSource pool;
        if (owned != null) {
            pool = (HikariDataSource) owned.newDataSource(name, 4);
        } else if (db.kind() == DatabaseKind.POSTGRESQL) {
            pool = pool(bouncer != null ? bouncer.database() : db, name, 4);
        } else {
            pool = recordingPool(db, name, 4, sessions);
        }
        LockSettings storeSettings = settings.toBuilder().tablePrefix(prefix).build();
        PooledStore store =
                new PooledStore(JdbcLeaseStore.open(Jdbi.create(pool), storeSettings), pool, name, sessions);
        stores.add(store);
        return store;
    }

    @Override
    protected void crashStore(LeaseStore store) {
        // The process dies: its connections go with it, its rows stay until they expire.
        ((PooledStore) store).closePool();
    }

    /**
     * Ends the manager's database sessions from another connection, as an administrator would: on PostgreSQL the
     * backends with the pool's application_name; behind PgBouncer, where a client has no server connection of its own
     * between transactions (and PgBouncer 1.18 does not reliably pass the client's application_name on), every server
     * connection PgBouncer holds, which includes those the manager's transactions ran on.
     */
    @Override
    public void killConnections(LockManager manager) {
        PooledStore store = (PooledStore) store(manager).orElseThrow();
        Jdbi admin = Jdbi.create(db.dataSource());
        switch (db.kind()) {
            case POSTGRESQL -> {
                List<Boolean> ended = bouncer != null
                        ? admin.withHandle(h -> h.createQuery("SELECT pg_terminate_backend(pid)"
                                        + " FROM unnest(CAST(:pids AS int[])) AS p(pid)")
                                .bindArray("pids", Integer.class, bouncer.serverPids())
                                .mapTo(Boolean.class)
                                .list())
                        : admin.withHandle(h -> h.createQuery("SELECT pg_terminate_backend(pid)"
                                        + " FROM pg_stat_activity WHERE application_name = :name")
                                .bind("name", store.poolName)
                                .mapTo(Boolean.class)
                                .list());
                if (!ended.contains(true)) {
                    // So that a kill that did nothing cannot pass for one.
                    throw new IllegalStateException("no session of " + store.poolName + " to end");
                }
            }
            case MARIADB -> {
                store.sessions.forEach(id -> endQuietly(admin, "KILL CONNECTION " + id));
                awaitGone(admin, store.sessions, "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = ");
            }
            case H2 -> {
                store.sessions.forEach(id -> endQuietly(admin, "CALL ABORT_SESSION(" + id + ")"));
                awaitGone(
                        admin, store.sessions, "SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS WHERE SESSION_ID = ");
            }
        }
    }

    /** Checks that the sessions really ended, so that a kill that did nothing cannot pass for one. */
    private static void awaitGone(Jdbi admin, List<Long> sessions, String countById) {
        if (sessions.isEmpty()) {
            throw new IllegalStateException("the manager opened no connection to kill");
        }
        Awaitility.await()
                .atMost(Duration.ofSeconds(5))
                .until(() -> sessions.stream()
                        .allMatch(id -> admin.withHandle(h -> h.createQuery(countById + id)
                                        .mapTo(Long.class)
                                        .one())
                                == 0));
    }

    private static void endQuietly(Jdbi admin, String sql) {
        try {
            admin.useHandle(h -> h.execute(sql));
        } catch (RuntimeException e) {
            // The session had ended already (the pool retired that connection).
        }
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
        final HikariDataSource pool;
        final String poolName;
        final List<Long> sessions;

        PooledStore(JdbcLeaseStore store, HikariDataSource pool, String poolName, List<Long> sessions) {
            super(store);
            this.store = store;
            this.pool = pool;
            this.poolName = poolName;
            this.sessions = sessions;
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
