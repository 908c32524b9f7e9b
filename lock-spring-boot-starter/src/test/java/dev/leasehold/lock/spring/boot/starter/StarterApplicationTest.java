package dev.leasehold.lock.spring.boot.starter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockEvents;
import dev.leasehold.lock.LockListener;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.Locks;
import dev.leasehold.lock.spring.Locked;
import dev.leasehold.lock.spring.Locked.OnHeld;
import dev.leasehold.lock.spring.LockedContext;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;

/**
 * An application whose only Leasehold dependency is the starter: with Spring Boot's DataSource over H2 in memory and no
 * {@code leasehold.*} property, the context gets a {@code jdbc} {@link LockManager} (the one backend the starter
 * brings) and {@code @Locked} works.
 */
@SpringBootTest(
        classes = StarterApplicationTest.App.class,
        properties = {
            "spring.datasource.url=jdbc:h2:mem:starter;DB_CLOSE_DELAY=-1",
            "spring.application.name=starter-test"
        })
class StarterApplicationTest {

    @Autowired
    LockManager locks;

    @Autowired
    Invoices invoices;

    @Autowired
    DataSource dataSource;

    @Autowired
    Backends backends;

    @Test
    void theStarterAloneGivesAJdbcManagerAndLockedMethods() {
        assertThat(locks.ownerId()).startsWith("starter-test:");

        long token = invoices.pay(42);
        try (LockManager otherNode = Locks.builder()
                        .dataSource(dataSource)
                        .ownerId("other-node")
                        .build();
                Lease held = otherNode.lock("invoice-42").acquire()) {
            assertThat(held.token()).isGreaterThan(token);
            assertThat(invoices.pay(42)).as("skipped while held").isNull();
        }

        assertThat(backends.seen).isNotEmpty().containsOnly("jdbc");
        assertThat(classPresent("dev.leasehold.lock.advisory.AdvisoryLockManager"))
                .as("the starter brings no other backend")
                .isFalse();
    }

    private static boolean classPresent(String name) {
        try {
            Class.forName(name, false, StarterApplicationTest.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    static class Invoices {
        /** The fencing token the payment ran under, or null when skipped. */
        @Locked(name = "invoice-#{#p0}", onHeld = OnHeld.SKIP)
        public Long pay(long id) {
            return LockedContext.currentLease().token();
        }
    }

    static class Backends implements LockListener {
        final List<String> seen = new CopyOnWriteArrayList<>();

        @Override
        public void leaseAcquired(LockEvents.LeaseAcquired event) {
            seen.add(event.backend());
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
        Backends backends() {
            return new Backends();
        }
    }
}
