package dev.leasehold.lock.spring.boot.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.testing.DatabaseKind;
import dev.leasehold.lock.testing.TestDatabaseExtension;
import dev.leasehold.lock.testing.UseDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Without {@code leasehold.actuator.force-release.enabled}, the endpoint reads but cannot free a lock. */
@ExtendWith(TestDatabaseExtension.class)
@UseDatabase(DatabaseKind.H2)
@SpringBootTest(classes = ActuatorApp.class, webEnvironment = WebEnvironment.RANDOM_PORT)
@DirtiesContext
class ForceReleaseDisabledHttpTest {

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        ActuatorApp.database(registry, DatabaseKind.H2, "actuator_ro");
    }

    @LocalServerPort
    int port;

    @Autowired
    LockManager locks;

    @Test
    void forceReleaseIsNotOffered() throws Exception {
        try (Lease lease = locks.lock("payroll").acquire()) {
            assertThat(ActuatorApp.get(port, "/actuator/leasehold/payroll").status())
                    .isEqualTo(200);

            assertThat(ActuatorApp.post(port, "/actuator/leasehold/payroll").status())
                    .isEqualTo(405);

            assertThat(lease.isValid()).isTrue();
            assertThat(locks.inspect("payroll"))
                    .hasValueSatisfying(info -> assertThat(info.token()).isEqualTo(lease.token()));
        }
    }
}
