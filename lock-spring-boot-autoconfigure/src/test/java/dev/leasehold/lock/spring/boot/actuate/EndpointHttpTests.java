package dev.leasehold.lock.spring.boot.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockExpiredException;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.spring.boot.actuate.ActuatorApp.Response;
import dev.leasehold.lock.testing.TestDatabaseExtension;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import tools.jackson.databind.JsonNode;

/**
 * The {@code leasehold} endpoint and health indicator over real HTTP, with the force release enabled, in a Spring Boot
 * web application on a random port: on H2 ({@link H2EndpointHttpTest}) and on
 * PostgreSQL ({@link PostgresEndpointHttpTest}).
 */
@ExtendWith(TestDatabaseExtension.class)
@SpringBootTest(
        classes = ActuatorApp.class,
        webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = "leasehold.actuator.force-release.enabled=true")
@DirtiesContext
abstract class EndpointHttpTests {

    @LocalServerPort
    int port;

    @Autowired
    LockManager locks;

    @Value("${leasehold.table-prefix}")
    String prefix;

    @Test
    void listsTheLocksHeldNowByDatabaseTime() throws Exception {
        try (Lease lease = locks.lock("invoice-42").acquire()) {
            Response response = ActuatorApp.get(port, "/actuator/leasehold");

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body().get("ownerId").asString()).isEqualTo(locks.ownerId());
            assertThat(response.body().get("table").asString()).contains(prefix + "distributed_locks");
            JsonNode lock = only(response.body().get("locks"), "invoice-42");
            assertThat(lock.get("ownerId").asString()).isEqualTo(locks.ownerId());
            assertThat(lock.get("token").asLong()).isEqualTo(lease.token());
            assertThat(lock.get("heldByThisApplication").asBoolean()).isTrue();
            Instant acquired = Instant.parse(lock.get("acquiredAt").asString());
            Instant expires = Instant.parse(lock.get("expiresAt").asString());
            assertThat(expires).isAfter(acquired).isEqualTo(lease.expiresAt());
        }
        assertThat(ActuatorApp.get(port, "/actuator/leasehold").body().get("locks"))
                .noneMatch(lock -> lock.get("name").asString().equals("invoice-42"));
    }

    @Test
    void showsOneLockAndAnswers404WhenNobodyHoldsIt() throws Exception {
        try (Lease lease = locks.lock("nightly-report").acquire()) {
            Response held = ActuatorApp.get(port, "/actuator/leasehold/nightly-report");
            assertThat(held.status()).isEqualTo(200);
            assertThat(held.body().get("name").asString()).isEqualTo("nightly-report");
            assertThat(held.body().get("token").asLong()).isEqualTo(lease.token());
        }
        assertThat(ActuatorApp.get(port, "/actuator/leasehold/nightly-report").status())
                .isEqualTo(404);
    }

    @Test
    void forceReleaseFreesTheLockAndTheHolderLosesItsLease() throws Exception {
        Lease lease = locks.lock("stuck-job").acquire();
        CompletableFuture<LockExpiredException> lost = new CompletableFuture<>();
        lease.onLost(lost::complete);

        Response response = ActuatorApp.post(port, "/actuator/leasehold/stuck-job");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body().get("released").asBoolean()).isTrue();
        assertThat(response.body().get("previousHolder").get("token").asLong()).isEqualTo(lease.token());
        assertThat(lost.get(10, TimeUnit.SECONDS).token()).isEqualTo(lease.token());
        assertThat(ActuatorApp.get(port, "/actuator/leasehold/stuck-job").status())
                .isEqualTo(404);

        Response again = ActuatorApp.post(port, "/actuator/leasehold/stuck-job");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.body().get("released").asBoolean()).isFalse();
    }

    @Test
    void healthReportsALeaseLostToAForceReleaseAndStaysUp() throws Exception {
        Lease lease = locks.lock("payroll-run").acquire();
        CompletableFuture<LockExpiredException> lost = new CompletableFuture<>();
        lease.onLost(lost::complete);
        assertThat(ActuatorApp.post(port, "/actuator/leasehold/payroll-run").status())
                .isEqualTo(200);
        // The manager's listeners, the health indicator's among them, are told before the lease's onLost listeners.
        lost.get(10, TimeUnit.SECONDS);

        Response response = ActuatorApp.get(port, "/actuator/health/leasehold");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body().get("status").asString()).isEqualTo("UP");
        JsonNode leasesLost = response.body().get("details").get("leasesLost");
        assertThat(leasesLost.get("lostWindow").asString()).isEqualTo("PT5M");
        assertThat(leasesLost.get("count").asInt()).isPositive();
        assertThat(leasesLost.get("newest"))
                .filteredOn(loss -> loss.get("name").asString().equals("payroll-run"))
                .singleElement()
                .satisfies(loss -> {
                    assertThat(loss.get("token").asLong()).isEqualTo(lease.token());
                    assertThat(loss.get("reason").asString()).isEqualTo("RELEASED_BY_ADMIN");
                    assertThat(Instant.parse(loss.get("noticedAt").asString())).isBeforeOrEqualTo(Instant.now());
                });
    }

    @Test
    void healthIsUpWhileTheDatabaseAnswers() throws Exception {
        Response response = ActuatorApp.get(port, "/actuator/health/leasehold");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body().get("status").asString()).isEqualTo("UP");
        assertThat(response.body().get("details").get("ownerId").asString()).isEqualTo(locks.ownerId());
        assertThat(response.body().get("details").get("probe").asString()).isEqualTo("leasehold-health-probe");
    }

    private static JsonNode only(JsonNode locks, String name) {
        JsonNode found = null;
        for (JsonNode lock : locks) {
            if (lock.get("name").asString().equals(name)) {
                assertThat(found).as("two entries for " + name).isNull();
                found = lock;
            }
        }
        assertThat(found).as("an entry for " + name + " in " + locks).isNotNull();
        return found;
    }
}
