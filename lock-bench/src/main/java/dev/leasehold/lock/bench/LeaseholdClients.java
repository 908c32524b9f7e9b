package dev.leasehold.lock.bench;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockAlreadyHeldException;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.Locks;
import dev.leasehold.lock.jdbc.internal.JdbcLeaseStore;
import dev.leasehold.lock.jpa.JpaLockManager;
import dev.leasehold.lock.spi.LeaseGrant;
import dev.leasehold.lock.spi.LeaseStore;
import dev.leasehold.lock.spi.SqlFailures;
import dev.leasehold.lock.table.Dialect;
import jakarta.persistence.EntityManagerFactory;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.hibernate.cfg.JdbcSettings;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.jdbi.v3.core.Jdbi;

/** The Leasehold backends, each built through {@code Locks.builder()} on the process's pool as a user would. */
final class LeaseholdClients {

    /** The lease time of every measured manager outside the heartbeat scenario: the library's default. */
    static final Duration LEASE_TIME = Duration.ofSeconds(30);

    /** How often the store-alone variant tries a release that meets its row locked, as the engine retries it. */
    private static final int RELEASE_ATTEMPTS = 10;

    private static final AtomicInteger UNITS = new AtomicInteger();

    private LeaseholdClients() {}

    /** The backends that run on this database. */
    static java.util.List<String> backends(DbKind kind) {
        return kind == DbKind.POSTGRESQL
                ? java.util.List.of("jdbc", "advisory", "jpa")
                : java.util.List.of("jdbc", "jpa");
    }

    static Variant variant(DbKind kind, String backend) {
        String label = switch (backend) {
            case "jdbc" -> "Leasehold jdbc (lease table)";
            case "advisory" -> "Leasehold advisory (advisory locks + lease table)";
            case "jpa" -> "Leasehold jpa (Hibernate 7)";
            default -> throw new IllegalArgumentException("backend: " + backend);
        };
        return new Variant("leasehold-" + backend, label, Variant.Role.LEASEHOLD, true, true, new Variant.Factory() {
            private String prefix;

            @Override
            public void setUp(Database database) {
                prefix = database.prefix() + "l" + code(backend) + "_";
            }

            @Override
            public LockClient open(Proc proc) {
                return LeaseholdClients.open(proc, backend, prefix, LEASE_TIME, null);
            }
        });
    }

    /**
     * {@code leasehold-jdbc} on a table without {@code wake_until}, as one created before that column existed and left
     * unaltered ({@code createTableIfMissing(false)}): waiters do not announce themselves and every release sends
     * {@code pg_notify}. PostgreSQL only; run next to {@code leasehold-jdbc}, it shows in one run what skipping the
     * notification of a release nobody waits for buys.
     */
    static Variant jdbcNotifyingAlways() {
        return new Variant(
                "leasehold-jdbc-notify-always",
                "Leasehold jdbc on a table without wake_until (every release notifies)",
                Variant.Role.LEASEHOLD,
                true,
                true,
                new Variant.Factory() {
                    private String prefix;

                    @Override
                    public void setUp(Database database) throws SQLException {
                        prefix = database.prefix() + "ln_";
                        Dialect dialect = database.kind().dialect();
                        String table = dialect.qualifiedTable(null, prefix);
                        database.execute(
                                dialect.executableDdl(table),
                                "ALTER TABLE " + table + " DROP COLUMN " + Dialect.WAKE_UNTIL);
                    }

                    @Override
                    public LockClient open(Proc proc) {
                        return LeaseholdClients.open(proc, "jdbc", prefix, LEASE_TIME, null, false);
                    }
                });
    }

    /**
     * The {@code jdbc} backend's lease store driven directly, without the engine: the acquire and release statements
     * the manager sends, with no local reservation, lease object, heartbeat or retry policy around them. Next to
     * {@code leasehold-jdbc} it shows what the engine costs; next to the floor, what the store's own statements cost.
     * It cannot wait, so it takes part in the throughput and contention scenarios only.
     */
    static Variant jdbcStoreAlone() {
        return new Variant(
                "leasehold-jdbc-store",
                "Leasehold jdbc's lease store alone, without the engine",
                Variant.Role.RAW,
                true,
                false,
                new Variant.Factory() {
                    private String prefix;

                    @Override
                    public void setUp(Database database) {
                        prefix = database.prefix() + "ls_";
                    }

                    @Override
                    public LockClient open(Proc proc) {
                        LockSettings settings = LockSettings.builder()
                                .tablePrefix(prefix)
                                .leaseTime(LEASE_TIME)
                                .build();
                        LeaseStore store = JdbcLeaseStore.open(Jdbi.create(proc.dataSource()), settings);
                        String owner = "bench-store-" + UNITS.incrementAndGet();
                        return new LockClient() {
                            @Override
                            public Held tryAcquire(String name) throws Exception {
                                Optional<LeaseGrant> grant;
                                try {
                                    grant = store.tryAcquire(name, owner, LEASE_TIME);
                                } catch (SQLException | RuntimeException e) {
                                    if (SqlFailures.isLockNotAvailable(e)) {
                                        return null; // another grant holds the row: held, as the engine reads it
                                    }
                                    throw e;
                                }
                                return grant.<Held>map(g -> () -> release(name, g.token()))
                                        .orElse(null);
                            }

                            /**
                             * Releases as the engine does: a release that meets the row locked by a contender's
                             * statement within its bounded wait (55P03) is a transient failure, tried again.
                             */
                            private void release(String name, long token) throws Exception {
                                for (int attempt = 1; ; attempt++) {
                                    try {
                                        store.release(name, owner, token);
                                        return;
                                    } catch (SQLException | RuntimeException e) {
                                        if (!SqlFailures.isLockNotAvailable(e) || attempt == RELEASE_ATTEMPTS) {
                                            throw e;
                                        }
                                    }
                                }
                            }

                            @Override
                            public void close() {
                                store.close();
                            }
                        };
                    }
                });
    }

    /** A letter per backend for table prefixes: {@code j}, {@code a}, {@code p}. */
    static String code(String backend) {
        return switch (backend) {
            case "jdbc" -> "j";
            case "advisory" -> "a";
            case "jpa" -> "p";
            default -> throw new IllegalArgumentException("backend: " + backend);
        };
    }

    /**
     * A manager of this backend on the process's pool, its table named by {@code prefix}; {@code heartbeat} null means
     * the default (a third of the lease time).
     */
    static Client open(Proc proc, String backend, String prefix, Duration leaseTime, Duration heartbeat) {
        return open(proc, backend, prefix, leaseTime, heartbeat, true);
    }

    /** As {@link #open(Proc, String, String, Duration, Duration)}; {@code alterTable} false leaves the table as found. */
    static Client open(
            Proc proc, String backend, String prefix, Duration leaseTime, Duration heartbeat, boolean alterTable) {
        EntityManagerFactory emf = null;
        Locks.Builder builder = Locks.builder()
                .backend(backend)
                .tablePrefix(prefix)
                .leaseTime(leaseTime)
                .createTableIfMissing(alterTable);
        if (heartbeat != null) {
            builder.heartbeatInterval(heartbeat);
        }
        if (backend.equals("jpa")) {
            Map<String, Object> properties = new HashMap<>();
            properties.put(JdbcSettings.JAKARTA_NON_JTA_DATASOURCE, proc.dataSource());
            properties.put(JpaLockManager.TABLE_PREFIX_PROPERTY, prefix);
            emf = new HibernatePersistenceConfiguration("leasehold-bench-" + UNITS.incrementAndGet())
                    .properties(properties)
                    .createEntityManagerFactory();
            builder.entityManagerFactory(emf);
        } else {
            builder.dataSource(proc.dataSource());
        }
        try {
            return new Client(builder.build(), emf);
        } catch (RuntimeException e) {
            if (emf != null) {
                emf.close();
            }
            throw e;
        }
    }

    /** A Leasehold manager as a {@link LockClient}. */
    static final class Client implements LockClient {
        private final LockManager manager;
        private final EntityManagerFactory emf;

        Client(LockManager manager, EntityManagerFactory emf) {
            this.manager = manager;
            this.emf = emf;
        }

        LockManager manager() {
            return manager;
        }

        @Override
        public Held tryAcquire(String name) {
            Optional<Lease> lease = manager.lock(name).tryAcquire();
            return lease.<Held>map(l -> l::release).orElse(null);
        }

        @Override
        public Held acquire(String name, Duration maxWait) {
            try {
                Lease lease = manager.lock(name).acquire(maxWait);
                return lease::release;
            } catch (LockAlreadyHeldException e) {
                return null;
            }
        }

        @Override
        public void close() {
            try {
                manager.close();
            } finally {
                if (emf != null) {
                    emf.close();
                }
            }
        }
    }
}
