package dev.leasehold.lock.jpa.internal;

import dev.leasehold.lock.LockConfigurationException;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.internal.Arguments;
import dev.leasehold.lock.jpa.JpaLockManager;
import dev.leasehold.lock.jpa.LeaseRow;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.hibernate.boot.ResourceStreamLocator;
import org.hibernate.boot.model.naming.Identifier;
import org.hibernate.boot.spi.AdditionalMappingContributions;
import org.hibernate.boot.spi.AdditionalMappingContributor;
import org.hibernate.boot.spi.InFlightMetadataCollector;
import org.hibernate.boot.spi.MetadataBuildingContext;
import org.hibernate.engine.jdbc.env.spi.NameQualifierSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adds {@link LeaseRow} to every Hibernate persistence unit, found by Hibernate through {@link java.util.ServiceLoader}
 * ({@code META-INF/services/org.hibernate.boot.spi.AdditionalMappingContributor}), so that an application's
 * EntityManagerFactory can keep leases without listing the entity.
 *
 * <p>The table is named by the unit's properties {@value JpaLockManager#SCHEMA_PROPERTY} and {@value
 * JpaLockManager#TABLE_PREFIX_PROPERTY} (default: no schema, no prefix, so {@code distributed_locks}), checked as plain
 * identifiers like lock-jdbc's, and contributed as a generated {@code orm.xml} that overrides the entity's table. A
 * unit that lists {@code LeaseRow} itself keeps its own mapping: the contributor adds nothing then (adding it twice
 * would fail the boot with a duplicate entity). {@value JpaLockManager#CONTRIBUTE_PROPERTY}{@code =false} turns the
 * contribution off for a unit. When the unit disables XML mappings ({@code hibernate.xml_mapping_enabled=false}) the
 * entity is added with its annotations, so the table is {@code distributed_locks} and a prefix or schema cannot apply.
 *
 * <p>This class is thread-safe.
 */
public final class LeaseRowContributor implements AdditionalMappingContributor {

    private static final Logger LOG = LoggerFactory.getLogger(LeaseRowContributor.class);

    @Override
    public String getContributorName() {
        return "leasehold";
    }

    @Override
    public void contribute(
            AdditionalMappingContributions contributions,
            InFlightMetadataCollector metadata,
            ResourceStreamLocator resources,
            MetadataBuildingContext context) {
        Map<String, Object> settings =
                context.getBootstrapContext().getConfigurationService().getSettings();
        if (metadata.getEntityBinding(LeaseRow.class.getName()) != null) {
            if (settings.get(JpaLockManager.SCHEMA_PROPERTY) != null
                    || settings.get(JpaLockManager.TABLE_PREFIX_PROPERTY) != null) {
                LOG.warn(
                        "the persistence unit lists {} itself, so {} and {} do not apply to it: map its table in the"
                                + " unit's orm.xml, or stop listing it",
                        LeaseRow.class.getName(),
                        JpaLockManager.SCHEMA_PROPERTY,
                        JpaLockManager.TABLE_PREFIX_PROPERTY);
            }
            return;
        }
        if ("false".equalsIgnoreCase(text(settings.get(JpaLockManager.CONTRIBUTE_PROPERTY)))) {
            return;
        }
        String schema = schema(settings);
        String prefix = prefix(settings);
        if (!context.getBuildingOptions().isXmlMappingEnabled()) {
            if (schema != null || !prefix.isEmpty()) {
                throw new LockConfigurationException("the persistence unit sets " + JpaLockManager.SCHEMA_PROPERTY
                        + " or " + JpaLockManager.TABLE_PREFIX_PROPERTY + " but disables XML mappings"
                        + " (hibernate.xml_mapping_enabled=false), which Leasehold needs to name the table: enable"
                        + " them, or list " + LeaseRow.class.getName() + " and map its table yourself");
            }
            contributions.contributeEntity(LeaseRow.class);
            return;
        }
        boolean catalogOnly =
                metadata.getDatabase().getJdbcEnvironment().getNameQualifierSupport() == NameQualifierSupport.CATALOG;
        contributions.contributeBinding(
                new ByteArrayInputStream(ormXml(schema, prefix, catalogOnly).getBytes(StandardCharsets.UTF_8)));
    }

    /** The schema named by the unit's properties, checked, or null. */
    static String schema(Map<String, ?> settings) {
        String schema = text(settings.get(JpaLockManager.SCHEMA_PROPERTY));
        if (schema == null || schema.isBlank()) {
            return null;
        }
        try {
            return Arguments.schema(schema);
        } catch (IllegalArgumentException e) {
            throw new LockConfigurationException(
                    "persistence-unit property " + JpaLockManager.SCHEMA_PROPERTY + ": " + e.getMessage(), e);
        }
    }

    /** The table prefix named by the unit's properties, checked, or empty. */
    static String prefix(Map<String, ?> settings) {
        String prefix = text(settings.get(JpaLockManager.TABLE_PREFIX_PROPERTY));
        if (prefix == null) {
            return "";
        }
        try {
            return Arguments.tablePrefix(prefix, LockSettings.TABLE_NAME);
        } catch (IllegalArgumentException e) {
            throw new LockConfigurationException(
                    "persistence-unit property " + JpaLockManager.TABLE_PREFIX_PROPERTY + ": " + e.getMessage(), e);
        }
    }

    private static String text(Object value) {
        return value == null ? null : value.toString().strip();
    }

    /**
     * The orm.xml that maps {@link LeaseRow} to the table; identifiers are quoted, as lock-jdbc quotes them. On
     * databases whose only qualifier is the catalog (MariaDB and MySQL call it a database) the schema goes there.
     */
    static String ormXml(String schema, String prefix, boolean catalogOnly) {
        // Schema and prefix are plain identifiers (checked above), so nothing needs escaping in the XML.
        StringBuilder table = new StringBuilder("<table name=\"")
                .append(Identifier.toIdentifier(prefix + LockSettings.TABLE_NAME, true))
                .append('"');
        if (schema != null) {
            table.append(catalogOnly ? " catalog=\"" : " schema=\"")
                    .append(Identifier.toIdentifier(schema, true))
                    .append('"');
        }
        table.append("/>");
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<entity-mappings xmlns=\"https://jakarta.ee/xml/ns/persistence/orm\" version=\"3.2\">\n"
                + "  <entity class=\"" + LeaseRow.class.getName() + "\">\n"
                + "    " + table + "\n"
                + "  </entity>\n"
                + "</entity-mappings>\n";
    }
}
