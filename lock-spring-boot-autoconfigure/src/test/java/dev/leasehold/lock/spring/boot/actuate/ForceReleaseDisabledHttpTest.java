package dev.leasehold.lock.spring.boot.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/** Without {@code leasehold.actuator.force-release.enabled}, the endpoint reads but cannot free a lock. */
class ForceReleaseDisabledHttpTest {

    private static final String PREFIX = ActuatorApp.DB.uniquePrefix("actuator_ro");

    private static ConfigurableApplicationContext app;
    private static int port;
    private static LockManager locks;

    @BeforeAll
    static void start() {
        app = ActuatorApp.start(PREFIX);
        port = ActuatorApp.port(app);
        locks = app.getBean(LockManager.class);
    }

    @AfterAll
    static void stop() {
        app.close();
        ActuatorApp.DB.dropTablesWithPrefix(PREFIX);
    }

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
