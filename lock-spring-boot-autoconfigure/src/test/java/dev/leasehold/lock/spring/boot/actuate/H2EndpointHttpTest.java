package dev.leasehold.lock.spring.boot.actuate;

import dev.leasehold.lock.testing.DatabaseKind;
import dev.leasehold.lock.testing.UseDatabase;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** {@link EndpointHttpTests} on H2 in memory. */
@UseDatabase(DatabaseKind.H2)
class H2EndpointHttpTest extends EndpointHttpTests {

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        ActuatorApp.database(registry, DatabaseKind.H2, "actuator");
    }
}
