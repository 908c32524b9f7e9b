package dev.leasehold.lock.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockBackendException;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.testing.DatabaseKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Backend options as Spring properties ({@code leasehold.advisory.*}), and the choice between backends. */
class BackendOptionsTest {

    @RegisterExtension
    static final SpringApps apps = new SpringApps(DatabaseKind.POSTGRESQL, "options");

    @Test
    void advisoryOptionsReachTheBackend() {
        apps.runner()
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
        apps.runner()
                .withPropertyValues("leasehold.backend=advisory", "leasehold.advisory.nope=1")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(LeaseholdAutoConfigurationTest.rootMessage(context.getStartupFailure()))
                            .contains("leasehold.advisory.nope");
                });
    }

    @Test
    void twoBackendsThatFitAskForLeaseholdBackend() {
        apps.runner().run(context -> {
            assertThat(context).hasFailed();
            assertThat(LeaseholdAutoConfigurationTest.rootMessage(context.getStartupFailure()))
                    .contains("[jdbc, advisory]")
                    .contains("set leasehold.backend");
        });
    }
}
