package dev.leasehold.lock.spring.boot;

import dev.leasehold.lock.testing.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Spring applications over a test database, with a table prefix of the test's own. */
final class SpringApps {

    private SpringApps() {}

    /** Spring Boot's DataSource (HikariCP) over {@code db}, and Leasehold's auto-configuration. */
    static ApplicationContextRunner runner(TestDatabase db, String prefix) {
        return new ApplicationContextRunner()
                .withConfiguration(
                        AutoConfigurations.of(DataSourceAutoConfiguration.class, LeaseholdAutoConfiguration.class))
                .withPropertyValues(properties(db, prefix));
    }

    /** The properties of a DataSource over {@code db} and a lock table with {@code prefix}. */
    static String[] properties(TestDatabase db, String prefix) {
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
}
