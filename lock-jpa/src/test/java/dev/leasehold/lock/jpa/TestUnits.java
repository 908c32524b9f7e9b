package dev.leasehold.lock.jpa;

import dev.leasehold.lock.testing.TestDatabase;
import jakarta.persistence.EntityManagerFactory;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.hibernate.cfg.JdbcSettings;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.hibernate.resource.jdbc.spi.StatementInspector;

/** Builds the Hibernate persistence units the tests use (their pools come from {@link TestDatabase#newPool}). */
final class TestUnits {

    private TestUnits() {}

    /**
     * A Hibernate unit over {@code dataSource} with only the given classes listed (the contributor adds {@link
     * LeaseRow}), its lease table named by {@code prefix}.
     */
    static EntityManagerFactory unit(
            String name, DataSource dataSource, String prefix, Map<String, Object> properties, Class<?>... classes) {
        Map<String, Object> all = new HashMap<>(properties);
        all.put(JdbcSettings.JAKARTA_NON_JTA_DATASOURCE, dataSource);
        all.put(JpaLockManager.TABLE_PREFIX_PROPERTY, prefix);
        return new HibernatePersistenceConfiguration(name)
                .managedClasses(classes)
                .properties(all)
                .createEntityManagerFactory();
    }

    /** A unit as {@link #unit} that counts the SQL statements it sends. */
    static EntityManagerFactory countingUnit(
            String name, DataSource dataSource, String prefix, AtomicInteger statements, Class<?>... classes) {
        StatementInspector inspector = sql -> {
            statements.incrementAndGet();
            return sql;
        };
        return unit(name, dataSource, prefix, Map.of(JdbcSettings.STATEMENT_INSPECTOR, inspector), classes);
    }
}
