package dev.leasehold.lock.spring.boot.actuate;

import dev.leasehold.lock.testing.DatabaseKind;
import dev.leasehold.lock.testing.UseDatabase;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** {@link EndpointHttpTests} on PostgreSQL. */
@UseDatabase(DatabaseKind.POSTGRESQL)
class PostgresEndpointHttpTest extends EndpointHttpTests {

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        ActuatorApp.database(registry, DatabaseKind.POSTGRESQL, "actuator");
    }
}
