package dev.leasehold.lock.spring.boot;

import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.Locks;
import dev.leasehold.lock.testing.DatabaseKind;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestDatabases;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Spring applications over a test database, with a lock table prefix of the test class's own whose tables are dropped
 * after its tests. A test class registers one as a static field:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final SpringApps apps = new SpringApps(DatabaseKind.H2, "locked");
 * }</pre>
 *
 * <p>A missing database aborts the class, as with {@code @UseDatabase}.
 *
 * <p>This class is not thread-safe: JUnit sets it up before the class's tests, which then only read it.
 */
final class SpringApps implements BeforeAllCallback, AfterAllCallback {

    private final DatabaseKind kind;
    private final String name;
    private TestDatabase db;
    private String prefix;

    /** Applications over the {@code kind} database, with a table prefix made from {@code name}. */
    SpringApps(DatabaseKind kind, String name) {
        this.kind = kind;
        this.name = name;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        db = TestDatabases.get(kind);
        prefix = db.uniquePrefix(name);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (db != null) {
            db.dropTablesWithPrefix(prefix);
        }
    }

    TestDatabase db() {
        return db;
    }

    String prefix() {
        return prefix;
    }

    /** Spring Boot's DataSource (HikariCP) over the database, and Leasehold's auto-configuration. */
    ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(
                        AutoConfigurations.of(DataSourceAutoConfiguration.class, LeaseholdAutoConfiguration.class))
                .withPropertyValues(properties());
    }

    /** The properties of a DataSource over the database and a lock table with this class's prefix. */
    String[] properties() {
        List<String> properties = new ArrayList<>();
        properties.add("spring.datasource.url=" + db.jdbcUrl());
        if (db.user() != null) {
            properties.add("spring.datasource.username=" + db.user());
        }
        if (db.password() != null) {
            properties.add("spring.datasource.password=" + db.password());
        }
        properties.add("spring.datasource.hikari.maximum-pool-size=8");
        properties.add("leasehold.table-prefix=" + prefix);
        return properties.toArray(String[]::new);
    }

    /**
     * A {@code jdbc} manager over the same table with owner id {@code other-node}, as another process of the
     * application would have; the caller closes it.
     */
    LockManager otherNode() {
        return Locks.builder()
                .dataSource(db.dataSource())
                .backend("jdbc")
                .tablePrefix(prefix)
                .ownerId("other-node")
                .build();
    }
}
