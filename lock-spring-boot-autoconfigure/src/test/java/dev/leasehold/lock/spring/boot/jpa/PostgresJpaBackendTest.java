package dev.leasehold.lock.spring.boot.jpa;

import dev.leasehold.lock.testing.DatabaseKind;
import dev.leasehold.lock.testing.UseDatabase;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** {@link JpaBackendTests} on PostgreSQL. */
@UseDatabase(DatabaseKind.POSTGRESQL)
class PostgresJpaBackendTest extends JpaBackendTests {

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        JpaBackendTests.database(registry, DatabaseKind.POSTGRESQL);
    }
}
