package dev.leasehold.lock;

import dev.leasehold.lock.internal.Arguments;
import dev.leasehold.lock.internal.OwnerIds;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Everything a backend needs to build a {@link LockManager}: the resource to keep locks in (a {@link DataSource}, a
 * Jdbi, an EntityManagerFactory, ...), lease and heartbeat times, how waiting retries, where the lock table lives and
 * who the owner is. {@link Locks#builder()} fills it in; backends receive it through {@link
 * dev.leasehold.lock.spi.LockProvider}.
 *
 * <p>This class is immutable and thread-safe (the resources it carries are the application's own objects).
 *
 * @param backend the provider named by the application, if any; in the settings a provider receives from {@link
 *     Locks.Builder#build()}, the provider chosen
 * @param resources the application's objects a backend may use, in the order given
 * @param leaseTime how long each grant or renewal lasts by the database clock; default 30 s
 * @param heartbeatInterval how often held leases are renewed; default {@code leaseTime / 3}
 * @param retry how {@link DistributedLock#acquire()} waits; default {@link RetryOptions#defaults()}
 * @param rowLockTimeout how long a lease statement waits for a row lock that another transaction holds (an
 *     application's transaction, an administrator's open {@code UPDATE}, a long transactional check) before it gives
 *     up: a try then reports the lock as held, and a renewal or release retries; default {@value
 *     #DEFAULT_ROW_LOCK_TIMEOUT_MILLIS} ms, at least 1 ms
 * @param drainTimeout how long {@link LockManager#close()} waits for work running under {@code withLock} or {@code
 *     runLocked} to finish before it gives up on it (the lease of work still running is then lost and left to expire
 *     by the database clock); default the lease time, zero for no wait
 * @param schema the schema of the lock table, if not the connection's default
 * @param tablePrefix prepended to {@value #TABLE_NAME}; default empty
 * @param ownerId this manager's owner id; default {@link #defaultOwnerId(String) defaultOwnerId("")}, {@code
 *     host:pid:random}
 * @param createTableIfMissing whether a backend creates its table when it is missing; default true
 * @param properties backend-specific options, by key
 * @param listeners told of every acquire, release, renewal and loss, in the order given; default none
 * @param purgeIdleAfter when present, the manager purges the names of locks free for longer than this from its store
 *     periodically, on a thread of its own ({@link SettingsBuilder#purgeIdleAfter}); default empty: never
 */
public record LockSettings(
        Optional<String> backend,
        List<Object> resources,
        Duration leaseTime,
        Duration heartbeatInterval,
        RetryOptions retry,
        Duration rowLockTimeout,
        Duration drainTimeout,
        Optional<String> schema,
        String tablePrefix,
        String ownerId,
        boolean createTableIfMissing,
        Map<String, String> properties,
        List<LockListener> listeners,
        Optional<Duration> purgeIdleAfter) {

    /** The lock table's name after the prefix. */
    public static final String TABLE_NAME = "distributed_locks";

    /** The default lease time: 30 seconds. */
    public static final Duration DEFAULT_LEASE_TIME = Duration.ofSeconds(30);

    /** The default row lock timeout, in milliseconds. */
    public static final long DEFAULT_ROW_LOCK_TIMEOUT_MILLIS = 100;

    /** The shortest row lock timeout accepted: databases count lock waits in milliseconds. */
    public static final Duration MIN_ROW_LOCK_TIMEOUT = Duration.ofMillis(1);

    public LockSettings {
        Arguments.notNull(backend, "backend");
        backend.ifPresent(b -> {
            if (b.isBlank()) {
                throw new IllegalArgumentException("backend must not be blank: name a provider such as \"jdbc\"");
            }
        });
        resources = List.copyOf(Arguments.notNull(resources, "resources"));
        Arguments.leaseTime(leaseTime, "leaseTime");
        Arguments.positive(heartbeatInterval, "heartbeatInterval");
        Arguments.heartbeatShorterThanLease(heartbeatInterval, leaseTime);
        Arguments.notNull(retry, "retry");
        Arguments.atLeast(rowLockTimeout, MIN_ROW_LOCK_TIMEOUT, "rowLockTimeout");
        Arguments.notNegative(drainTimeout, "drainTimeout");
        Arguments.notNull(schema, "schema");
        schema.ifPresent(Arguments::schema);
        Arguments.tablePrefix(tablePrefix, TABLE_NAME);
        Arguments.ownerId(ownerId);
        properties = Map.copyOf(Arguments.notNull(properties, "properties"));
        listeners = List.copyOf(Arguments.notNull(listeners, "listeners"));
        Arguments.notNull(purgeIdleAfter, "purgeIdleAfter");
        purgeIdleAfter.ifPresent(d -> Arguments.idleAge(d, "purgeIdleAfter"));
    }

    /** A builder with every default. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.copyFrom(this);
        return b;
    }

    /** The first resource that is an instance of {@code type}. */
    public <T> Optional<T> resource(Class<T> type) {
        for (Object r : resources) {
            if (type.isInstance(r)) {
                return Optional.of(type.cast(r));
            }
        }
        return Optional.empty();
    }

    /**
     * The first resource whose class is, extends or implements the type of that name. Lets a backend look for a type
     * that may not be on the class path (for example {@code org.jdbi.v3.core.Jdbi}) without loading it.
     */
    public Optional<Object> resourceNamed(String className) {
        for (Object r : resources) {
            if (OwnerIds.isA(r.getClass(), className)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /** The DataSource given to the builder, if any. */
    public Optional<DataSource> dataSource() {
        return resource(DataSource.class);
    }

    /** A backend-specific option. */
    public Optional<String> property(String key) {
        return Optional.ofNullable(properties.get(key));
    }

    /** The lock table's name with the prefix, unquoted: {@code tablePrefix + "distributed_locks"}. */
    public String tableName() {
        return tablePrefix + TABLE_NAME;
    }

    /** The heartbeat interval that goes with a lease time when none is given: a third of it. */
    public static Duration defaultHeartbeat(Duration leaseTime) {
        return leaseTime.dividedBy(3);
    }

    /**
     * A new owner id, unique per call, as the builder makes when none is given: {@code prefix:host:pid:random} (the
     * host name, the process id and 8 random hex digits), or {@code host:pid:random} when {@code prefix} is empty. An
     * id longer than 255 characters keeps its last 255, so that the random part stays. Use it to name the owner after
     * the application while keeping two managers of one process apart.
     *
     * @param prefix what comes first, typically the application's name; {@code ""} for none
     * @throws IllegalArgumentException if {@code prefix} is null, contains NUL or is not well-formed UTF-16
     */
    public static String defaultOwnerId(String prefix) {
        return OwnerIds.generate(Arguments.ownerIdPrefix(prefix));
    }

    /** Builds {@link LockSettings}. This class is not thread-safe. */
    public static final class Builder extends SettingsBuilder<Builder> {
        private Builder() {}

        /** Checks the values and builds the settings. */
        public LockSettings build() {
            return settings();
        }
    }

    /**
     * The setters shared by {@link LockSettings.Builder} and {@link Locks.Builder}. Defaults are those of {@link
     * LockSettings}; values are checked when the settings are built, and each setter rejects null at once.
     *
     * <p>This class is not thread-safe.
     *
     * @param <B> the concrete builder
     */
    public abstract static class SettingsBuilder<B extends SettingsBuilder<B>> {
        private String backend;
        private final List<Object> resources = new ArrayList<>();
        private Duration leaseTime = DEFAULT_LEASE_TIME;
        private Duration heartbeatInterval;
        private RetryOptions retry = RetryOptions.defaults();
        private Duration rowLockTimeout = Duration.ofMillis(DEFAULT_ROW_LOCK_TIMEOUT_MILLIS);
        private Duration drainTimeout;
        private String schema;
        private String tablePrefix = "";
        private String ownerId;
        private boolean createTableIfMissing = true;
        private final Map<String, String> properties = new LinkedHashMap<>();
        private final List<LockListener> listeners = new ArrayList<>();
        private Duration purgeIdleAfter;

        protected SettingsBuilder() {}

        @SuppressWarnings("unchecked")
        private B self() {
            return (B) this;
        }

        void copyFrom(LockSettings s) {
            backend = s.backend().orElse(null);
            resources.addAll(s.resources());
            leaseTime = s.leaseTime();
            heartbeatInterval = s.heartbeatInterval();
            retry = s.retry();
            rowLockTimeout = s.rowLockTimeout();
            drainTimeout = s.drainTimeout();
            schema = s.schema().orElse(null);
            tablePrefix = s.tablePrefix();
            ownerId = s.ownerId();
            createTableIfMissing = s.createTableIfMissing();
            properties.putAll(s.properties());
            listeners.addAll(s.listeners());
            purgeIdleAfter = s.purgeIdleAfter().orElse(null);
        }

        /** Keeps locks in this DataSource (for the {@code jdbc} and {@code advisory} backends). */
        public B dataSource(DataSource dataSource) {
            resources.add(Arguments.notNull(dataSource, "dataSource"));
            return self();
        }

        /**
         * Keeps locks through the application's own {@code org.jdbi.v3.core.Jdbi}. Typed as {@code Object} so that
         * this API needs no Jdbi on the class path; anything else is rejected.
         */
        public B jdbi(Object jdbi) {
            Arguments.notNull(jdbi, "jdbi");
            if (!OwnerIds.isA(jdbi.getClass(), "org.jdbi.v3.core.Jdbi")) {
                throw new IllegalArgumentException("jdbi must be an org.jdbi.v3.core.Jdbi, got "
                        + jdbi.getClass().getName());
            }
            resources.add(jdbi);
            return self();
        }

        /**
         * Keeps locks through the application's {@code jakarta.persistence.EntityManagerFactory} (for the {@code jpa}
         * backend). Typed as {@code Object} so that this API needs no JPA on the class path; anything else is
         * rejected.
         */
        public B entityManagerFactory(Object entityManagerFactory) {
            Arguments.notNull(entityManagerFactory, "entityManagerFactory");
            if (!OwnerIds.isA(entityManagerFactory.getClass(), "jakarta.persistence.EntityManagerFactory")) {
                throw new IllegalArgumentException("entityManagerFactory must be a"
                        + " jakarta.persistence.EntityManagerFactory, got "
                        + entityManagerFactory.getClass().getName());
            }
            resources.add(entityManagerFactory);
            return self();
        }

        /** Any other object a backend knows how to use (for example an in-memory store in tests). */
        public B resource(Object resource) {
            resources.add(Arguments.notNull(resource, "resource"));
            return self();
        }

        /**
         * Names the backend ({@code "jdbc"}, {@code "advisory"}, {@code "jpa"}, ...). Default: the single provider
         * that supports these settings. The system property {@code leasehold.backend} overrides it.
         */
        public B backend(String backend) {
            this.backend = Arguments.notNull(backend, "backend");
            return self();
        }

        /** How long a grant or renewal lasts, by the database clock. Default 30 s. */
        public B leaseTime(Duration leaseTime) {
            this.leaseTime = Arguments.notNull(leaseTime, "leaseTime");
            return self();
        }

        /** How often held leases are renewed; must be shorter than the lease time. Default: leaseTime / 3. */
        public B heartbeatInterval(Duration heartbeatInterval) {
            this.heartbeatInterval = Arguments.notNull(heartbeatInterval, "heartbeatInterval");
            return self();
        }

        /** How {@code acquire()} waits for a held lock. Default {@link RetryOptions#defaults()}. */
        public B retry(RetryOptions retry) {
            this.retry = Arguments.notNull(retry, "retry");
            return self();
        }

        /**
         * How long a lease statement waits for a row lock held by another transaction before it gives up: {@code
         * tryAcquire} then reports the lock as held, {@code acquire} keeps waiting by its retry options, and a renewal
         * or release retries until the lease's local deadline. Default {@value
         * LockSettings#DEFAULT_ROW_LOCK_TIMEOUT_MILLIS} ms; at least 1 ms. MariaDB counts it to the microsecond, as
         * the statement's time limit.
         */
        public B rowLockTimeout(Duration rowLockTimeout) {
            this.rowLockTimeout = Arguments.notNull(rowLockTimeout, "rowLockTimeout");
            return self();
        }

        /**
         * How long {@link LockManager#close()} waits for work running under {@code withLock} or {@code runLocked} to
         * finish before it gives up on it: the lease of work still running then is lost (its listeners are told) and
         * left to expire by the database clock. Default: the lease time; zero for no wait; at most one day.
         */
        public B drainTimeout(Duration drainTimeout) {
            this.drainTimeout = Arguments.notNull(drainTimeout, "drainTimeout");
            return self();
        }

        /** The schema of the lock table. Default: the connection's current schema. */
        public B schema(String schema) {
            this.schema = Arguments.schema(schema);
            return self();
        }

        /** Prepended to the table name {@value LockSettings#TABLE_NAME}. Default: none. */
        public B tablePrefix(String tablePrefix) {
            this.tablePrefix = Arguments.tablePrefix(tablePrefix, TABLE_NAME);
            return self();
        }

        /**
         * This manager's owner id, stored with every lease it holds. Default {@link LockSettings#defaultOwnerId(String)
         * defaultOwnerId("")}, unique per manager. Two managers given the same id still exclude each other.
         */
        public B ownerId(String ownerId) {
            this.ownerId = Arguments.ownerId(ownerId);
            return self();
        }

        /** Whether a backend creates its table when it is missing. Default true. */
        public B createTableIfMissing(boolean createTableIfMissing) {
            this.createTableIfMissing = createTableIfMissing;
            return self();
        }

        /** A backend-specific option. */
        public B property(String key, String value) {
            properties.put(Arguments.notNull(key, "key"), Arguments.notNull(value, "value"));
            return self();
        }

        /**
         * Adds a listener told of every acquire, release, renewal and loss of the manager's locks (metrics, for
         * example); listeners are told in the order added. Default: none, and then the engine spends nothing on
         * events.
         */
        public B listener(LockListener listener) {
            listeners.add(Arguments.notNull(listener, "listener"));
            return self();
        }

        /**
         * Purges idle names periodically: the manager forgets, from its table, the names of locks that have been free
         * for longer than {@code idleFor} by the database clock, as {@code LeaseLockManager.purgeIdle} does, so that
         * one-off names (one per invoice, file or tenant) do not leave a row each forever. Tokens still never go back.
         * It runs on a daemon thread of the manager's own, never on a caller's thread, every {@code idleFor} but at
         * least every hour and at most every minute, starting at a random point of the first interval so that
         * managers started together do not purge together; a failure is logged and the next run tries again; it stops
         * when the manager closes. Every manager on the table must be of a version that knows the token floor (see
         * the lease table's documentation). Default: off. Positive, at most ten years.
         */
        public B purgeIdleAfter(Duration idleFor) {
            this.purgeIdleAfter = Arguments.idleAge(idleFor, "purgeIdleAfter");
            return self();
        }

        /** Checks the values and builds the settings. */
        protected LockSettings settings() {
            Arguments.leaseTime(leaseTime, "leaseTime");
            Duration heartbeat = heartbeatInterval != null ? heartbeatInterval : defaultHeartbeat(leaseTime);
            return new LockSettings(
                    Optional.ofNullable(backend),
                    resources,
                    leaseTime,
                    heartbeat,
                    retry,
                    rowLockTimeout,
                    drainTimeout != null ? drainTimeout : leaseTime,
                    Optional.ofNullable(schema),
                    tablePrefix,
                    ownerId != null ? ownerId : defaultOwnerId(""),
                    createTableIfMissing,
                    properties,
                    listeners,
                    Optional.ofNullable(purgeIdleAfter));
        }
    }
}
