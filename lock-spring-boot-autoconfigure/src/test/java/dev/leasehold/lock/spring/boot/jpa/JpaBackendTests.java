package dev.leasehold.lock.spring.boot.jpa;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockEvents;
import dev.leasehold.lock.LockListener;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.Locks;
import dev.leasehold.lock.spring.Locked;
import dev.leasehold.lock.spring.Locked.OnHeld;
import dev.leasehold.lock.spring.LockedContext;
import dev.leasehold.lock.testing.DatabaseKind;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestDatabaseExtension;
import dev.leasehold.lock.testing.TestDatabases;
import jakarta.persistence.EntityManagerFactory;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The {@code jpa} backend through Spring: the {@link EntityManagerFactory} is the one Spring Boot's Hibernate
 * auto-configuration builds, the {@link LockManager} the one Leasehold's builds over it with {@code
 * leasehold.backend=jpa}, and {@code @Locked} methods run under its leases; a {@code jdbc} manager over the same table
 * stands for another node. On H2 ({@link H2JpaBackendTest}) and PostgreSQL ({@link PostgresJpaBackendTest}).
 */
@ExtendWith(TestDatabaseExtension.class)
@SpringBootTest(classes = JpaBackendTests.App.class, webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext
abstract class JpaBackendTests {

    private static final String KIND_PROPERTY = "test.leasehold.database";

    /** The DataSource, the table prefix (also as the persistence unit's) and the jpa backend. */
    static void database(DynamicPropertyRegistry registry, DatabaseKind kind) {
        TestDatabase db = TestDatabases.get(kind);
        String prefix = db.uniquePrefix("spring_jpa");
        registry.add(KIND_PROPERTY, kind::name);
        registry.add("spring.datasource.url", db::jdbcUrl);
        registry.add("spring.datasource.username", () -> db.user() == null ? "" : db.user());
        registry.add("spring.datasource.password", () -> db.password() == null ? "" : db.password());
        registry.add("spring.datasource.hikari.maximum-pool-size", () -> "4");
        registry.add("spring.jpa.hibernate.ddl-auto", () -> "none");
        registry.add("spring.jpa.properties.leasehold.jpa.tablePrefix", () -> prefix);
        registry.add("leasehold.table-prefix", () -> prefix);
        registry.add("leasehold.backend", () -> "jpa");
    }

    @Autowired
    LockManager locks;

    @Autowired
    EntityManagerFactory entityManagerFactory;

    @Autowired
    Invoices invoices;

    @Autowired
    Events events;

    @Autowired
    TestDatabaseRef database;

    @Value("${leasehold.table-prefix}")
    String prefix;

    @Test
    void theManagerIsTheJpaBackendOverSpringsEntityManagerFactory() {
        try (Lease lease = locks.lock("jpa-backend-check").acquire()) {
            assertThat(lease.isValid()).isTrue();
        }
        assertThat(events.backends).contains("jpa").containsOnly("jpa");
        assertThat(entityManagerFactory.getMetamodel().getEntities())
                .as("Leasehold's entity in the unit Spring Boot built")
                .anyMatch(entity -> entity.getJavaType().getName().equals("dev.leasehold.lock.jpa.LeaseRow"));
    }

    @Test
    void lockedMethodsRunUnderJpaLeasesThatExcludeAnotherBackendOnTheSameTable() {
        try (LockManager otherNode = Locks.builder()
                .dataSource(database.db().dataSource())
                .backend("jdbc")
                .tablePrefix(prefix)
                .ownerId("other-node")
                .build()) {
            long first = invoices.pay(7);
            Lease held = otherNode.lock("invoice-7").acquire();
            assertThat(held.token()).as("tokens grow across backends").isGreaterThan(first);
            try (held) {
                assertThat(invoices.pay(7))
                        .as("skipped while the other node holds it")
                        .isNull();
                assertThat(invoices.pay(8)).as("another key is free").isPositive();
            }
            assertThat(invoices.pay(7)).isGreaterThan(held.token());
        }
    }

    /** The test database, as a bean, so that tests reach it as the application does its DataSource. */
    record TestDatabaseRef(TestDatabase db) {}

    static class Invoices {
        /** The fencing token the payment ran under, or null when skipped. */
        @Locked(name = "invoice-#{#id}", onHeld = OnHeld.SKIP)
        public Long pay(long id) {
            return LockedContext.currentLease().token();
        }
    }

    static class Events implements LockListener {
        final List<String> backends = new CopyOnWriteArrayList<>();

        @Override
        public void leaseAcquired(LockEvents.LeaseAcquired event) {
            backends.add(event.backend());
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
        @Bean
        Invoices invoices() {
            return new Invoices();
        }

        @Bean
        Events events() {
            return new Events();
        }

        @Bean
        TestDatabaseRef testDatabase(Environment environment) {
            return new TestDatabaseRef(
                    TestDatabases.get(DatabaseKind.valueOf(environment.getRequiredProperty(KIND_PROPERTY))));
        }

        /** Drops the test's tables once the lock managers, closed before any bean is destroyed, are gone. */
        @Bean
        DisposableBean leaseholdTestTables(TestDatabaseRef database, Environment environment) {
            String prefix = environment.getRequiredProperty("leasehold.table-prefix");
            return () -> database.db().dropTablesWithPrefix(prefix);
        }
    }
}
