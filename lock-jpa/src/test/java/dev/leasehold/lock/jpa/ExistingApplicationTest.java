package dev.leasehold.lock.jpa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockConfigurationException;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.Locks;
import dev.leasehold.lock.testing.DatabaseKind;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestDatabases;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;
import java.util.HashMap;
import java.util.Map;
import org.hibernate.cfg.JdbcSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A Hibernate application bootstrapped from its own persistence.xml, unchanged, gets locks: the unit lists only its
 * own entity (exclude-unlisted-classes), Leasehold's entity joins it on its own, and the application's entity and the
 * locks work side by side. Only the database connection is given at bootstrap, as the application's deployment would.
 *
 * <p>On H2 (a private in-memory database) the application runs exactly as written, on the default table {@code
 * distributed_locks}; on PostgreSQL the unit also gets a table prefix so that it cannot meet other runs' tables.
 */
class ExistingApplicationTest {

    private final Map<String, Object> deployment = new HashMap<>();
    private HikariDataSource pool;
    private TestDatabase db;
    private String dropPrefix;

    private EntityManagerFactory boot(DatabaseKind kind, String unit) {
        db = TestDatabases.get(kind);
        if (pool == null) {
            pool = db.newPool("jpa-app", 4);
            deployment.put(JdbcSettings.JAKARTA_NON_JTA_DATASOURCE, pool);
            if (kind == DatabaseKind.H2) {
                dropPrefix = LeaseRow.TABLE_NAME;
            } else {
                dropPrefix = db.uniquePrefix("existing_app");
                deployment.put(JpaLockManager.TABLE_PREFIX_PROPERTY, dropPrefix);
            }
        }
        return Persistence.createEntityManagerFactory(unit, deployment);
    }

    @AfterEach
    void close() {
        if (pool != null) {
            pool.close();
            db.dropTablesWithPrefix(dropPrefix);
        }
    }

    @Test
    void anApplicationListingOnlyItsOwnEntityGetsLocksOnH2() {
        appWithItsOwnEntityOnly(DatabaseKind.H2, "");
    }

    @Test
    void anApplicationListingOnlyItsOwnEntityGetsLocksOnPostgres() {
        appWithItsOwnEntityOnly(DatabaseKind.POSTGRESQL, null);
    }

    private void appWithItsOwnEntityOnly(DatabaseKind kind, String prefix) {
        try (EntityManagerFactory emf = boot(kind, "invoices")) {
            String tablePrefix = prefix != null ? prefix : dropPrefix;
            assertThat(emf.getMetamodel().getEntities())
                    .extracting(e -> (Object) e.getJavaType())
                    .contains(Invoice.class, LeaseRow.class);
            try (LockManager locks = Locks.builder()
                    .entityManagerFactory(emf)
                    .tablePrefix(tablePrefix)
                    .build()) {
                assertThat(locks).isInstanceOf(JpaLockManager.class);
                JpaLockManager jpa = (JpaLockManager) locks;
                // The application's own work, fenced by a lease and checked in its own transaction.
                try (Lease lease = locks.lock("invoice-42").acquire()) {
                    EntityManager em = emf.createEntityManager();
                    try {
                        em.getTransaction().begin();
                        jpa.verifyHeld(em, lease);
                        em.persist(new Invoice(42, lease.token()));
                        em.getTransaction().commit();
                    } finally {
                        em.close();
                    }
                }
                EntityManager em = emf.createEntityManager();
                try {
                    assertThat(em.find(Invoice.class, 42L).fencingToken()).isEqualTo(1);
                } finally {
                    em.close();
                }
                assertThat(locks.lock("invoice-42").tryAcquire()).hasValueSatisfying(l -> {
                    assertThat(l.token()).isEqualTo(2);
                    l.release();
                });
            }
        }
    }

    @Test
    void anApplicationThatAlsoListsTheLeaseEntityStillBoots() {
        try (EntityManagerFactory emf = boot(DatabaseKind.H2, "invoices-listing-lease-row")) {
            assertThat(emf.getMetamodel().entity(LeaseRow.class)).isNotNull();
            try (JpaLockManager locks = JpaLockManager.create(
                    emf, dev.leasehold.lock.LockSettings.builder().build())) {
                assertThat(locks.table()).isEqualTo("\"distributed_locks\"");
                Lease lease = locks.lock("listed").tryAcquire().orElseThrow();
                assertThat(locks.inspect("listed")).isPresent();
                lease.release();
            }
        }
    }

    @Test
    void aUnitThatTurnsTheContributionOffHasNoLeaseEntity() {
        try (EntityManagerFactory emf = boot(DatabaseKind.H2, "invoices-without-leasehold")) {
            assertThatThrownBy(() -> Locks.builder().entityManagerFactory(emf).build())
                    .isInstanceOf(LockConfigurationException.class)
                    .hasMessageContaining(LeaseRow.class.getName())
                    .hasMessageContaining(JpaLockManager.CONTRIBUTE_PROPERTY);
        }
    }
}
