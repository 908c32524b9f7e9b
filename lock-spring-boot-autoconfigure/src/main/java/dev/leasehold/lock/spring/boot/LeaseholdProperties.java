package dev.leasehold.lock.spring.boot;

import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.RetryOptions;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code leasehold.*} properties from which {@link LeaseholdAutoConfiguration} builds the {@link
 * dev.leasehold.lock.LockManager}. Unset values take the defaults of {@code Locks.builder()}. Durations are written as
 * Spring Boot reads them: {@code 30s}, {@code 500ms}, {@code PT30S} (a bare number is milliseconds).
 *
 * <p>Backend options go under {@code leasehold.<backend>.*}, such as {@code leasehold.advisory.liveness-interval=1s};
 * they are passed to the backend as they are named in its documentation ({@code leasehold.advisory.livenessInterval}).
 *
 * <p>This class is not thread-safe: Spring binds it once at start-up.
 */
@ConfigurationProperties("leasehold")
public class LeaseholdProperties {

    /** Whether to build a LockManager and apply @Locked. */
    private boolean enabled = true;

    /**
     * The backend: jdbc, advisory or jpa. Default: the one backend on the class path that accepts the application's
     * DataSource, EntityManagerFactory or Jdbi. The system property leasehold.backend overrides it.
     */
    private String backend;

    /** How long each grant or renewal of a lease lasts, by the database clock. */
    private Duration leaseTime = LockSettings.DEFAULT_LEASE_TIME;

    /** How often held leases are renewed; shorter than the lease time. Default: a third of the lease time. */
    private Duration heartbeatInterval;

    /**
     * How long a lease statement waits for a row lock another transaction holds before it gives up (a try then reports
     * the lock as held).
     */
    private Duration rowLockTimeout = Duration.ofMillis(LockSettings.DEFAULT_ROW_LOCK_TIMEOUT_MILLIS);

    /**
     * How long shutdown waits for running @Locked and withLock work before its leases are given up (left to expire).
     * Default: the lease time; 0 for no wait.
     */
    private Duration drainTimeout;

    /**
     * When set, the manager periodically forgets the names of locks that have been free for longer than this, by the
     * database clock (their tokens never go back). Default: never.
     */
    private Duration purgeIdleAfter;

    /** The schema of the lock table. Default: the connection's current schema. */
    private String schema;

    /** Prepended to the lock table's name, distributed_locks. */
    private String tablePrefix = "";

    /**
     * The owner id stored with every lease of this application. Default: spring.application.name, host, process id and
     * a random suffix, separated by ':'.
     */
    private String ownerId;

    /**
     * Whether to create the lock table at start-up when it is missing. Set to false when Flyway or Liquibase creates
     * it.
     */
    private boolean createTable = true;

    /** How acquire() waits for a lock held elsewhere: @Locked WAIT calls without maxWait, and code of the application. */
    private final Retry retry = new Retry();

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getBackend() {
        return backend;
    }

    public void setBackend(String backend) {
        this.backend = backend;
    }

    public Duration getLeaseTime() {
        return leaseTime;
    }

    public void setLeaseTime(Duration leaseTime) {
        this.leaseTime = leaseTime;
    }

    public Duration getHeartbeatInterval() {
        return heartbeatInterval;
    }

    public void setHeartbeatInterval(Duration heartbeatInterval) {
        this.heartbeatInterval = heartbeatInterval;
    }

    public Duration getRowLockTimeout() {
        return rowLockTimeout;
    }

    public void setRowLockTimeout(Duration rowLockTimeout) {
        this.rowLockTimeout = rowLockTimeout;
    }

    public Duration getDrainTimeout() {
        return drainTimeout;
    }

    public void setDrainTimeout(Duration drainTimeout) {
        this.drainTimeout = drainTimeout;
    }

    public Duration getPurgeIdleAfter() {
        return purgeIdleAfter;
    }

    public void setPurgeIdleAfter(Duration purgeIdleAfter) {
        this.purgeIdleAfter = purgeIdleAfter;
    }

    public String getSchema() {
        return schema;
    }

    public void setSchema(String schema) {
        this.schema = schema;
    }

    public String getTablePrefix() {
        return tablePrefix;
    }

    public void setTablePrefix(String tablePrefix) {
        this.tablePrefix = tablePrefix;
    }

    public String getOwnerId() {
        return ownerId;
    }

    public void setOwnerId(String ownerId) {
        this.ownerId = ownerId;
    }

    public boolean isCreateTable() {
        return createTable;
    }

    public void setCreateTable(boolean createTable) {
        this.createTable = createTable;
    }

    public Retry getRetry() {
        return retry;
    }

    /**
     * The {@code leasehold.retry.*} properties: Leasehold's {@code RetryOptions}.
     *
     * <p>This class is not thread-safe: Spring binds it once at start-up.
     */
    public static class Retry {

        // The defaults are those of RetryOptions, read from it so that they are stated once.
        private static final RetryOptions DEFAULTS = RetryOptions.defaults();

        /** How many times acquire() tries again after the first attempt; -1 for no limit (then set max-wait). */
        private int maxRetries = DEFAULTS.maxRetries();

        /** The sleep before the first retry; also the delay between tries of @Locked WAIT calls with a maxWait. */
        private Duration delay = DEFAULTS.delay();

        /** The longest sleep between retries once backoff has grown it. Default: the delay (no backoff). */
        private Duration maxDelay;

        /** The factor each sleep grows by, up to max-delay; 1.0 for a fixed delay. */
        private double backoffFactor = DEFAULTS.backoffFactor();

        /** A random fraction in [0, 1) by which each sleep varies. */
        private double jitter = DEFAULTS.jitter();

        /** The longest time acquire() waits in all. Default: no limit but max-retries. */
        private Duration maxWait;

        public int getMaxRetries() {
            return maxRetries;
        }

        public void setMaxRetries(int maxRetries) {
            this.maxRetries = maxRetries;
        }

        public Duration getDelay() {
            return delay;
        }

        public void setDelay(Duration delay) {
            this.delay = delay;
        }

        public Duration getMaxDelay() {
            return maxDelay;
        }

        public void setMaxDelay(Duration maxDelay) {
            this.maxDelay = maxDelay;
        }

        public double getBackoffFactor() {
            return backoffFactor;
        }

        public void setBackoffFactor(double backoffFactor) {
            this.backoffFactor = backoffFactor;
        }

        public double getJitter() {
            return jitter;
        }

        public void setJitter(double jitter) {
            this.jitter = jitter;
        }

        public Duration getMaxWait() {
            return maxWait;
        }

        public void setMaxWait(Duration maxWait) {
            this.maxWait = maxWait;
        }
    }
}
