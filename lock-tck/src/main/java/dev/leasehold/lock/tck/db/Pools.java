package dev.leasehold.lock.tck.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * HikariCP, loaded only after {@link TestDatabase} found its classes, so that an absent HikariCP fails with a message
 * saying what to add rather than a {@link NoClassDefFoundError}.
 */
final class Pools {

    static final String CLASS_NAME = "com.zaxxer.hikari.HikariDataSource";

    private static final AtomicInteger COUNT = new AtomicInteger();

    private Pools() {}

    /** A new pool of at most {@code maxPoolSize} connections, opened on demand. */
    static HikariDataSource create(TestDatabase db, int maxPoolSize) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("leasehold-test-" + db.kind().name().toLowerCase(java.util.Locale.ROOT) + "-"
                + COUNT.incrementAndGet());
        config.setJdbcUrl(db.jdbcUrl());
        if (db.user() != null) {
            config.setUsername(db.user());
        }
        if (db.password() != null) {
            config.setPassword(db.password());
        }
        config.setMaximumPoolSize(maxPoolSize);
        config.setMinimumIdle(0);
        config.setConnectionTimeout(TimeUnit.SECONDS.toMillis(10));
        return new HikariDataSource(config);
    }

    static void close(DataSource dataSource) {
        ((HikariDataSource) dataSource).close();
    }
}
