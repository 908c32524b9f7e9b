package dev.leasehold.lock.testing;

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

    /**
     * A new pool for a server that restarts, with every wait bounded: {@code getConnection} while the server is down
     * fails after 1 s (HikariCP's default is 30 s), a connection attempt after 2 s, and a read on a socket that went
     * silent after 10 s (the driver's default is never). Named {@code name} in the pool's log and in {@code
     * pg_stat_activity}.
     */
    static HikariDataSource createForRestarts(TestDatabase db, String name, int maxPoolSize) {
        HikariConfig config = new HikariConfig();
        config.setPoolName(name);
        config.setJdbcUrl(db.jdbcUrl());
        config.setUsername(db.user());
        config.setPassword(db.password());
        config.setMaximumPoolSize(maxPoolSize);
        config.setMinimumIdle(0);
        config.setConnectionTimeout(TimeUnit.SECONDS.toMillis(1));
        config.setValidationTimeout(TimeUnit.SECONDS.toMillis(1));
        config.addDataSourceProperty("connectTimeout", "2");
        config.addDataSourceProperty("socketTimeout", "10");
        config.addDataSourceProperty("ApplicationName", name);
        return new HikariDataSource(config);
    }

    static void close(DataSource dataSource) {
        ((HikariDataSource) dataSource).close();
    }
}
