package dev.leasehold.lock.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;

/**
 * One simulated application process: a HikariCP pool of its own, with the same settings for every variant, over a
 * {@link CountingDataSource}. Contenders and waiters each get one, as separate processes would have.
 *
 * <p>This class is thread-safe.
 */
final class Proc implements AutoCloseable {

    /** The most connections of every pool. */
    static final int POOL_SIZE = 10;

    private final Database database;
    private final CountingDataSource counting;
    private final HikariDataSource pool;

    Proc(Database database, String name, CountingDataSource counting) {
        this.database = database;
        this.counting = counting;
        HikariConfig config = new HikariConfig();
        config.setDataSource(counting);
        config.setPoolName(name);
        config.setMaximumPoolSize(POOL_SIZE);
        config.setMinimumIdle(0);
        config.setConnectionTimeout(30_000);
        config.setAutoCommit(true);
        this.pool = new HikariDataSource(config);
    }

    /** The pool, as an application would hand it to a lock library. */
    DataSource dataSource() {
        return pool;
    }

    Database database() {
        return database;
    }

    /** From now on, also records what reaches the server through this process's pool in {@code into}. */
    void record(Timeline into, String name) {
        counting.record(into, name);
    }

    /** What reached the server through this process's pool so far. */
    CountingDataSource.Counts counts() {
        return counting.counts();
    }

    @Override
    public void close() {
        pool.close();
    }

    /** The pool settings every variant shares, for the report. */
    static String describeSettings() {
        return "HikariCP, maximumPoolSize " + POOL_SIZE + ", minimumIdle 0, autoCommit true, one pool per simulated"
                + " process, statements counted below the pool";
    }
}
