package dev.leasehold.lock.advisory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.leasehold.lock.LockConfigurationException;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.Locks;
import dev.leasehold.lock.spi.LockProvider;
import dev.leasehold.lock.testing.DatabaseKind;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestDatabases;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ServiceLoader;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The provider: found by ServiceLoader and declared in module-info, accepts PostgreSQL only and says so otherwise, and
 * builds managers from a DataSource or a Jdbi.
 */
class ProviderTest {

    private static final TestDatabase DB = TestSupport.pg();
    private static final String PREFIX = DB.uniquePrefix("ProviderTest");

    @AfterAll
    static void dropTables() {
        DB.dropTablesWithPrefix(PREFIX);
    }

    private static AdvisoryLockProvider provider() {
        return ServiceLoader.load(LockProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals("advisory"))
                .map(AdvisoryLockProvider.class::cast)
                .findFirst()
                .orElseThrow(() -> new AssertionError("ServiceLoader does not find the advisory provider"));
    }

    @Test
    void serviceLoaderAndTheModuleDescriptorDeclareTheProvider() throws Exception {
        assertThat(provider().requirements()).contains("PostgreSQL");
        Path classes = Path.of(AdvisoryLockProvider.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        ModuleDescriptor descriptor = ModuleFinder.of(classes)
                .find("dev.leasehold.lock.advisory")
                .orElseThrow()
                .descriptor();
        assertThat(descriptor.provides())
                .anySatisfy(p -> assertThat(p.providers()).contains(AdvisoryLockProvider.class.getName()));
        assertThat(descriptor.exports())
                .extracting(ModuleDescriptor.Exports::source)
                .containsExactly("dev.leasehold.lock.advisory");
    }

    @Test
    void supportsPostgresqlOnly() {
        AdvisoryLockProvider provider = provider();
        assertThat(provider.supports(
                        LockSettings.builder().dataSource(DB.dataSource()).build()))
                .isTrue();
        assertThat(provider.supports(LockSettings.builder()
                        .jdbi(Jdbi.create(DB.dataSource()))
                        .build()))
                .isTrue();
        DataSource h2 = TestDatabases.get(DatabaseKind.H2).dataSource();
        assertThat(provider.supports(LockSettings.builder().dataSource(h2).build()))
                .isFalse();
        assertThat(provider.supports(LockSettings.builder().build())).isFalse();
    }

    @Test
    void anotherDatabaseFailsWithAClearConfigurationError() {
        DataSource h2 = TestDatabases.get(DatabaseKind.H2).dataSource();
        LockSettings settings = LockSettings.builder().build();
        assertThatThrownBy(() -> AdvisoryLockManager.create(h2, settings))
                .isInstanceOf(LockConfigurationException.class)
                .hasMessageContaining("needs PostgreSQL")
                .hasMessageContaining("H2")
                .hasMessageContaining("backend(\"jdbc\")");
        assertThatThrownBy(
                        () -> Locks.builder().dataSource(h2).backend("advisory").build())
                .isInstanceOf(LockConfigurationException.class)
                .hasMessageContaining("advisory")
                .hasMessageContaining("PostgreSQL");
        assertThatThrownBy(() -> AdvisoryLockManager.create(settings))
                .isInstanceOf(LockConfigurationException.class)
                .hasMessageContaining("DataSource or a Jdbi");
    }

    @Test
    void buildsManagersFromADataSourceOrAJdbi() {
        try (HikariDataSource pool = DB.newPool("adv-provider", 4)) {
            try (LockManager fromDataSource = Locks.builder()
                    .dataSource(pool)
                    .backend("advisory")
                    .tablePrefix(PREFIX)
                    .build()) {
                assertThat(fromDataSource).isInstanceOf(AdvisoryLockManager.class);
                fromDataSource.lock("provider-ds").tryAcquire().orElseThrow().release();
            }
            try (LockManager fromJdbi = Locks.builder()
                    .jdbi(Jdbi.create(pool))
                    .backend("advisory")
                    .tablePrefix(PREFIX)
                    .leaseTime(Duration.ofSeconds(5))
                    .build()) {
                assertThat(fromJdbi).isInstanceOf(AdvisoryLockManager.class);
                fromJdbi.lock("provider-jdbi").tryAcquire().orElseThrow().release();
            }
        }
    }

    @Test
    void badAdvisoryPropertiesAreRejectedNamingTheProperty() {
        try (HikariDataSource pool = DB.newPool("adv-props", 2)) {
            assertThatThrownBy(() -> Locks.builder()
                            .dataSource(pool)
                            .backend("advisory")
                            .tablePrefix(PREFIX)
                            .property("leasehold.advisory.takeover", "sometimes")
                            .build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("leasehold.advisory.takeover");
            assertThatThrownBy(() -> Locks.builder()
                            .dataSource(pool)
                            .backend("advisory")
                            .property("leasehold.advisory.maxlocks", "5")
                            .build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("unknown property leasehold.advisory.maxlocks");
        }
    }
}
