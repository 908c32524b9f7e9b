package dev.leasehold.lock.jpa;

import com.zaxxer.hikari.HikariDataSource;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.RetryOptions;
import dev.leasehold.lock.testing.DatabaseKind;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestDatabases;
import dev.leasehold.lock.testing.TestTimes;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One database for a test class: a pool, a Hibernate unit over it whose lease table has a prefix unique to the class,
 * the managers the tests made (closed with it), and a count of the SQL statements the unit sent.
 */
final class TestEnv implements AutoCloseable {

    final TestDatabase db;
    final String prefix;
    final HikariDataSource pool;
    final AtomicInteger statements = new AtomicInteger();
    final EntityManagerFactory emf;
    final TestTimes times = TestTimes.fromEnvironment();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    private TestEnv(DatabaseKind kind, String hint, Class<?>... classes) {
        this.db = TestDatabases.get(kind);
        this.prefix = db.uniquePrefix(hint);
        this.pool = db.newPool("jpa-" + hint, 16);
        this.emf = TestUnits.countingUnit("leasehold-" + hint, pool, prefix, statements, classes);
    }

    static TestEnv open(DatabaseKind kind, String hint, Class<?>... classes) {
        return new TestEnv(kind, hint, classes);
    }

    DatabaseKind kind() {
        return db.kind();
    }

    /** Settings for this unit's table: the TCK's lease time, no retries, a fresh owner id. */
    LockSettings.Builder settings() {
        return LockSettings.builder()
                .tablePrefix(prefix)
                .leaseTime(times.leaseTime())
                .retry(RetryOptions.none());
    }

    JpaLockManager manager() {
        return manager(b -> {});
    }

    JpaLockManager manager(Consumer<LockSettings.Builder> customize) {
        LockSettings.Builder b = settings();
        customize.accept(b);
        return track(JpaLockManager.create(emf, b.build()));
    }

    <T extends AutoCloseable> T track(T closeable) {
        synchronized (closeables) {
            closeables.add(closeable);
        }
        return closeable;
    }

    /** Runs {@code work} in a transaction of its own and commits. */
    <T> T inTransaction(Function<EntityManager, T> work) {
        EntityManager em = emf.createEntityManager();
        try {
            em.getTransaction().begin();
            T result = work.apply(em);
            em.getTransaction().commit();
            return result;
        } finally {
            if (em.getTransaction().isActive()) {
                em.getTransaction().rollback();
            }
            em.close();
        }
    }

    /** An EntityManager with an active transaction; the caller ends it and closes it. */
    EntityManager begin() {
        EntityManager em = emf.createEntityManager();
        em.getTransaction().begin();
        return em;
    }

    static void end(EntityManager em) {
        if (em.getTransaction().isActive()) {
            em.getTransaction().rollback();
        }
        em.close();
    }

    Duration slack() {
        return times.slack();
    }

    @Override
    public void close() {
        List<AutoCloseable> all;
        synchronized (closeables) {
            all = new ArrayList<>(closeables);
            closeables.clear();
        }
        for (AutoCloseable c : all) {
            try {
                c.close();
            } catch (Exception e) {
                // A test may have closed it already.
            }
        }
        emf.close();
        pool.close();
        db.dropTablesWithPrefix(prefix);
    }

    /** One {@link TestEnv} per database, opened on first use, for a test class. */
    static final class PerKind implements AutoCloseable {
        private final String hint;
        private final Class<?>[] classes;
        private final Map<DatabaseKind, TestEnv> envs = new EnumMap<>(DatabaseKind.class);

        PerKind(String hint, Class<?>... classes) {
            this.hint = hint;
            this.classes = classes;
        }

        synchronized TestEnv get(DatabaseKind kind) {
            return envs.computeIfAbsent(kind, k -> open(k, hint, classes));
        }

        @Override
        public synchronized void close() {
            for (TestEnv env : envs.values()) {
                env.close();
            }
            envs.clear();
        }
    }
}
