package dev.leasehold.lock.spring.boot.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.Locks;
import dev.leasehold.lock.testing.DatabaseKind;
import dev.leasehold.lock.testing.FailingDataSource;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/** The health indicator's three states with a real manager on H2, whose connections can be made to fail. */
class LeaseholdHealthIndicatorTest {

    private final TestDatabase db = TestDatabases.get(DatabaseKind.H2);
    private final String prefix = db.uniquePrefix("health");
    private final FailingDataSource dataSource = new FailingDataSource(db.dataSource());
    private final LockManager manager = Locks.builder()
            .dataSource(dataSource)
            .tablePrefix(prefix)
            .ownerId("health-test")
            .build();
    private final LeaseholdHealthIndicator indicator = new LeaseholdHealthIndicator(manager, "probe");

    @AfterEach
    void tearDown() {
        dataSource.failing(false);
        manager.close();
        db.dropTablesWithPrefix(prefix);
    }

    @Test
    void upWhileTheDatabaseAnswers() {
        Health health = indicator.health();

        assertThat(health.getStatus()).isEqualTo(Status.UP);
        assertThat(health.getDetails()).containsEntry("ownerId", "health-test").containsEntry("probe", "probe");
    }

    @Test
    void downWithTheSqlStateWhenTheDatabaseKeepsFailing() {
        dataSource.failing(true);

        Health health = indicator.health();

        assertThat(health.getStatus()).isEqualTo(Status.DOWN);
        assertThat(health.getDetails()).containsEntry("sqlState", FailingDataSource.CONNECTION_FAILURE);
        assertThat(health.getDetails()).containsKey("error");
    }

    @Test
    void outOfServiceOnceTheManagerIsClosed() {
        manager.close();

        Health health = indicator.health();

        assertThat(health.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
        assertThat((String) health.getDetails().get("reason")).startsWith("the lock manager is closed");
    }
}
