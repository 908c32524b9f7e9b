package dev.leasehold.lock.advisory;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.RetryOptions;
import dev.leasehold.lock.jdbc.JdbcLockManager;
import java.time.Duration;

/**
 * A lock holder in a process of its own, for crash tests: acquires one lock, prints {@code TOKEN <token>} on standard
 * output and sleeps until it is killed.
 *
 * <p>Arguments: backend ({@code advisory} or {@code jdbc}), JDBC URL, user, password (may be empty), table prefix, lock
 * name, lease time in milliseconds.
 */
public final class ChildHolder {

    private ChildHolder() {}

    public static void main(String[] args) throws Exception {
        String backend = args[0];
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(args[1]);
        if (!args[2].isEmpty()) {
            config.setUsername(args[2]);
        }
        if (!args[3].isEmpty()) {
            config.setPassword(args[3]);
        }
        config.setMaximumPoolSize(2);
        config.addDataSourceProperty(
                "ApplicationName", "leasehold-child-" + ProcessHandle.current().pid());
        HikariDataSource ds = new HikariDataSource(config);
        LockSettings settings = LockSettings.builder()
                .tablePrefix(args[4])
                .leaseTime(Duration.ofMillis(Long.parseLong(args[6])))
                .retry(RetryOptions.waitUpTo(Duration.ofSeconds(30), Duration.ofSeconds(1)))
                .ownerId("child-" + ProcessHandle.current().pid())
                .build();
        LockManager manager = backend.equals("jdbc")
                ? JdbcLockManager.create(ds, settings)
                : AdvisoryLockManager.create(ds, settings);
        Lease lease = manager.lock(args[5]).acquire();
        System.out.println("TOKEN " + lease.token());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
