package dev.leasehold.lock.jpa;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.Locks;
import dev.leasehold.lock.spi.LockProvider;
import dev.leasehold.lock.testing.DatabaseKind;
import java.util.ServiceLoader;
import org.hibernate.boot.spi.AdditionalMappingContributor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The provider and the mapping contributor are found through ServiceLoader, and the builder picks "jpa". */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProviderTest {

    private TestEnv env;

    @BeforeAll
    void open() {
        env = TestEnv.open(DatabaseKind.H2, "provider");
    }

    @AfterAll
    void close() {
        env.close();
    }

    @Test
    void serviceLoaderFindsTheProviderAndTheContributor() {
        assertThat(ServiceLoader.load(LockProvider.class).stream()
                        .map(p -> p.get().name()))
                .contains("jpa");
        assertThat(ServiceLoader.load(AdditionalMappingContributor.class).stream()
                        .map(p -> p.type().getName()))
                .contains("dev.leasehold.lock.jpa.internal.LeaseRowContributor");
    }

    @Test
    void theProviderSupportsSettingsWithAnEntityManagerFactoryOnly() {
        JpaLockProvider provider = new JpaLockProvider();
        assertThat(provider.supports(LockSettings.builder().build())).isFalse();
        assertThat(provider.supports(
                        LockSettings.builder().entityManagerFactory(env.emf).build()))
                .isTrue();
    }

    @Test
    void theBuilderPicksTheJpaBackendForAnEntityManagerFactory() {
        try (LockManager locks = Locks.builder()
                .entityManagerFactory(env.emf)
                .tablePrefix(env.prefix)
                .build()) {
            assertThat(locks).isInstanceOf(JpaLockManager.class);
            locks.lock("provider").tryAcquire().orElseThrow().release();
        }
        try (LockManager locks = Locks.builder()
                .entityManagerFactory(env.emf)
                .backend("jpa")
                .tablePrefix(env.prefix)
                .build()) {
            assertThat(locks).isInstanceOf(JpaLockManager.class);
        }
    }
}
