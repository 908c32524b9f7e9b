package dev.leasehold.lock.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.Locks;
import dev.leasehold.lock.testing.DatabaseKind;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestDatabases;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The jdbc backend is found through ServiceLoader and chosen for a DataSource or a Jdbi. */
class JdbcProviderTest {

    @Test
    void serviceLoaderFindsTheJdbcProvider() {
        assertThat(Locks.describeProviders(getClass().getClassLoader()))
                .anySatisfy(line -> assertThat(line).startsWith("jdbc (" + JdbcLockProvider.class.getName()));
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void aDataSourceOrAJdbiChoosesTheJdbcBackend(DatabaseKind kind) {
        TestDatabase db = TestDatabases.get(kind);
        String prefix = db.uniquePrefix("provider");
        try (LockManager byDataSource = Locks.builder()
                        .dataSource(db.dataSource())
                        .tablePrefix(prefix)
                        .build();
                LockManager byJdbi = Locks.builder()
                        .jdbi(Jdbi.create(db.dataSource()))
                        .backend("jdbc")
                        .tablePrefix(prefix)
                        .build()) {
            assertThat(byDataSource).isInstanceOf(JdbcLockManager.class);
            assertThat(byJdbi).isInstanceOf(JdbcLockManager.class);
            Lease lease = byDataSource.lock("chosen").tryAcquire().orElseThrow();
            assertThat(byJdbi.lock("chosen").tryAcquire()).isEmpty();
            lease.release();
        } finally {
            db.dropTablesWithPrefix(prefix);
        }
    }

    @Test
    void settingsWithoutADataSourceAreNotTheJdbcBackendsBusiness() {
        assertThat(new JdbcLockProvider().supports(Locks.builder().buildSettings()))
                .isFalse();
    }
}
