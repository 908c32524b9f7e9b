package dev.leasehold.lock.jpa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.leasehold.lock.jpa.internal.UnitMapping;
import dev.leasehold.lock.testing.DatabaseKind;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestDatabases;
import jakarta.persistence.EntityManagerFactory;
import java.util.Map;
import org.hibernate.cfg.MappingSettings;
import org.junit.jupiter.api.Test;

/**
 * The contributor maps {@link LeaseRow} to the table the unit's properties name, quoted as lock-jdbc quotes it, and
 * keeps the application's own mapping when the unit lists the entity. Only mappings are checked: no table is made.
 */
class MappingContributorTest {

    private static String tableOf(
            DatabaseKind kind, String prefix, Map<String, Object> properties, Class<?>... classes) {
        TestDatabase db = TestDatabases.get(kind);
        try (HikariDataSource pool = db.newPool("jpa-mapping", 2);
                EntityManagerFactory emf = TestUnits.unit("mapping", pool, prefix, properties, classes)) {
            return UnitMapping.of(emf).table();
        }
    }

    @Test
    void theTableIsNamedByTheUnitsPrefixQuoted() {
        assertThat(tableOf(DatabaseKind.H2, "MyApp_", Map.of())).isEqualTo("\"MyApp_distributed_locks\"");
        assertThat(tableOf(DatabaseKind.H2, "", Map.of())).isEqualTo("\"distributed_locks\"");
    }

    @Test
    void aSchemaQualifiesTheTableAndIsTheCatalogOnMariaDb() {
        assertThat(tableOf(DatabaseKind.H2, "p_", Map.of(JpaLockManager.SCHEMA_PROPERTY, "locks")))
                .isEqualTo("\"locks\".\"p_distributed_locks\"");
        assertThat(tableOf(DatabaseKind.MARIADB, "p_", Map.of(JpaLockManager.SCHEMA_PROPERTY, "test")))
                .isEqualTo("`test`.`p_distributed_locks`");
    }

    @Test
    void aUnitListingTheEntityKeepsItsOwnMapping() {
        assertThat(tableOf(DatabaseKind.H2, "ignored_", Map.of(), Invoice.class, LeaseRow.class))
                .isEqualTo("\"distributed_locks\"");
    }

    @Test
    void withoutXmlMappingsTheEntityComesWithItsAnnotationsAndAPrefixIsRefused() {
        Map<String, Object> noXml = Map.of(MappingSettings.XML_MAPPING_ENABLED, false);
        assertThat(tableOf(DatabaseKind.H2, "", noXml)).isEqualTo("\"distributed_locks\"");
        assertThatThrownBy(() -> tableOf(DatabaseKind.H2, "p_", noXml))
                .hasStackTraceContaining("hibernate.xml_mapping_enabled=false");
    }
}
