package dev.leasehold.lock.spring.boot.jpa;

import dev.leasehold.lock.testing.DatabaseKind;
import dev.leasehold.lock.testing.UseDatabase;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** {@link JpaBackendTests} on H2 in memory. */
@UseDatabase(DatabaseKind.H2)
class H2JpaBackendTest extends JpaBackendTests {

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        JpaBackendTests.database(registry, DatabaseKind.H2);
    }
}
