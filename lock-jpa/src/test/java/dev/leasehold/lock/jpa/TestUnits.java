package dev.leasehold.lock.jpa;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.leasehold.lock.testing.DatabaseKind;
import dev.leasehold.lock.testing.TestDatabase;
import jakarta.persistence.EntityManagerFactory;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.hibernate.cfg.JdbcSettings;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.hibernate.resource.jdbc.spi.StatementInspector;

/** Builds the pools and Hibernate persistence units the tests use. */
final class TestUnits {

    private static final AtomicInteger POOLS = new AtomicInteger();

    private TestUnits() {}

    /** A pool of its own, at most {@code size} connections, none kept idle, named for pg_stat_activity. */
    static HikariDataSource pool(TestDatabase db, String name, int size) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(db.jdbcUrl());
        config.setUsername(db.user());
        config.setPassword(db.password());
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(0);
        config.setPoolName(name);
        if (db.kind() == DatabaseKind.POSTGRESQL) {
            config.addDataSourceProperty("ApplicationName", name);
        }
        return new HikariDataSource(config);
    }

    /** A unique pool name. */
    static String poolName(String hint) {
        return "leasehold-jpa-" + hint + "-" + POOLS.incrementAndGet();
    }

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
