package dev.leasehold.lock.jpa;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.leasehold.lock.LockConfigurationException;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.testing.DatabaseKind;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestDatabases;
import jakarta.persistence.EntityManagerFactory;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A lease table that exists with times the backend cannot compare with the database clock (MariaDB TIMESTAMP, as
 * Hibernate's schema tooling makes it; a time without zone elsewhere) is refused with the DDL to use.
 */
class TableSetupTest {

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void aTableWithTheWrongTimeTypesIsRefusedWithTheDdl(DatabaseKind kind) throws Exception {
        TestDatabase db = TestDatabases.get(kind);
        String prefix = db.uniquePrefix("wrong_types");
        String time = kind == DatabaseKind.MARIADB ? "TIMESTAMP(6) NULL" : "TIMESTAMP(6)";
        String q = kind == DatabaseKind.MARIADB ? "`" : "\"";
        try (HikariDataSource pool = db.newPool("jpa-wrong-types", 2)) {
            try (Connection c = pool.getConnection();
                    Statement s = c.createStatement()) {
                s.execute("CREATE TABLE " + q + prefix + "distributed_locks" + q
                        + " (lock_name VARCHAR(255) NOT NULL PRIMARY KEY, owner_id VARCHAR(255), token BIGINT NOT NULL,"
                        + " acquired_at " + time + ", expires_at " + time + ")");
            }
            try (EntityManagerFactory emf = TestUnits.unit("wrong-types", pool, prefix, Map.of())) {
                assertThatThrownBy(() -> JpaLockManager.create(
                                emf, LockSettings.builder().tablePrefix(prefix).build()))
                        .isInstanceOf(LockConfigurationException.class)
                        .hasMessageContaining("exists but does not fit")
                        .hasMessageContaining("column expires_at is timestamp")
                        .hasMessageContaining("CREATE TABLE IF NOT EXISTS");
            }
        } finally {
            db.dropTablesWithPrefix(prefix);
        }
    }
}
