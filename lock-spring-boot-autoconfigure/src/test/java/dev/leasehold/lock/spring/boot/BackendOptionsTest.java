package dev.leasehold.lock.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockBackendException;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.testing.DatabaseKind;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestDatabaseExtension;
import dev.leasehold.lock.testing.UseDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Backend options as Spring properties ({@code leasehold.advisory.*}), and the choice between backends. */
@ExtendWith(TestDatabaseExtension.class)
@UseDatabase(DatabaseKind.POSTGRESQL)
class BackendOptionsTest {

    private static TestDatabase db;
    private static String prefix;

    @BeforeAll
    static void database(TestDatabase database) {
        db = database;
        prefix = db.uniquePrefix("options");
    }

    @AfterAll
    static void dropTables() {
        db.dropTablesWithPrefix(prefix);
    }

    @Test
    void advisoryOptionsReachTheBackend() {
        SpringApps.runner(db, prefix)
                .withPropertyValues("leasehold.backend=advisory", "leasehold.advisory.max-locks=1")
                .run(context -> {
                    LockManager manager = context.getBean(LockManager.class);
                    try (Lease first = manager.lock("options-1").acquire()) {
                        assertThatThrownBy(() -> manager.lock("options-2").tryAcquire())
                                .isInstanceOf(LockBackendException.class);
                    }
                });
    }

    @Test
    void anUnknownAdvisoryOptionStopsStartUpNamingIt() {
        SpringApps.runner(db, prefix)
                .withPropertyValues("leasehold.backend=advisory", "leasehold.advisory.nope=1")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(LeaseholdAutoConfigurationTest.rootMessage(context.getStartupFailure()))
                            .contains("leasehold.advisory.nope");
                });
    }

    @Test
    void twoBackendsThatFitAskForLeaseholdBackend() {
        SpringApps.runner(db, prefix).run(context -> {
            assertThat(context).hasFailed();
            assertThat(LeaseholdAutoConfigurationTest.rootMessage(context.getStartupFailure()))
                    .contains("[jdbc, advisory]")
                    .contains("set leasehold.backend");
        });
    }
}
