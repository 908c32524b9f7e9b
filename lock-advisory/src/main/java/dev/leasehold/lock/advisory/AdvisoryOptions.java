package dev.leasehold.lock.advisory;

import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.internal.Arguments;
import dev.leasehold.lock.internal.Durations;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The options of the {@code advisory} backend beyond {@link LockSettings}: how to treat a lease whose holder's session
 * ended, how often a manager that holds leases checks that its session is alive, and how many advisory locks one
 * manager may hold.
 *
 * <p>Give them to {@code Locks.builder()} as a value ({@code .resource(AdvisoryOptions.builder()...build())}), or as
 * properties of the settings ({@code .property(key, value)}, from configuration files or the command line) under the
 * keys {@value #TAKEOVER_PROPERTY}, {@value #LIVENESS_INTERVAL_PROPERTY} and {@value #MAX_LOCKS_PROPERTY}; see {@link
 * #from(LockSettings)}.
 *
 * <p>This class is immutable and thread-safe.
 *
 * @param takeover what an acquirer does when the advisory lock is free but the row shows an unexpired lease; default
 *     {@link Takeover#IMMEDIATE}
 * @param livenessInterval how often a manager holding leases checks its session with a {@code SELECT 1} between
 *     heartbeats, so that a terminated session is reported as lost within this interval plus a round trip; default
 *     500 ms, at least 10 ms
 * @param maxLocks the most advisory locks one manager holds at once; an acquire beyond it fails with {@link
 *     dev.leasehold.lock.LockBackendException} before anything is sent; default {@value #DEFAULT_MAX_LOCKS}
 */
public record AdvisoryOptions(Takeover takeover, Duration livenessInterval, int maxLocks) {

    /** The property holding {@link #takeover()}: {@code immediate} or {@code after-expiry}. */
    public static final String TAKEOVER_PROPERTY = "leasehold.advisory.takeover";

    /**
     * The property holding {@link #livenessInterval()}: a duration with a unit ({@code 500ms}) or ISO-8601 ({@code
     * PT0.5S}).
     */
    public static final String LIVENESS_INTERVAL_PROPERTY = "leasehold.advisory.livenessInterval";

    /** The property holding {@link #maxLocks()}: a positive integer. */
    public static final String MAX_LOCKS_PROPERTY = "leasehold.advisory.maxLocks";

    /** The default liveness interval: 500 ms. */
    public static final Duration DEFAULT_LIVENESS_INTERVAL = Duration.ofMillis(500);

    /** The shortest liveness interval accepted: 10 ms. */
    public static final Duration MIN_LIVENESS_INTERVAL = Duration.ofMillis(10);

    /**
     * The default cap on advisory locks per manager. PostgreSQL's shared lock table holds {@code
     * max_locks_per_transaction × (max_connections + max_prepared_transactions)} locks of every kind, 6,400 with the
     * default settings, shared by every session.
     */
    public static final int DEFAULT_MAX_LOCKS = 1000;

    /** The largest cap accepted. */
    public static final int MAX_MAX_LOCKS = 1_000_000;

    private static final String PREFIX = "leasehold.advisory.";
    private static final Set<String> KEYS = Set.of(TAKEOVER_PROPERTY, LIVENESS_INTERVAL_PROPERTY, MAX_LOCKS_PROPERTY);
    private static final AdvisoryOptions DEFAULTS = builder().build();

    public AdvisoryOptions {
        Arguments.notNull(takeover, "takeover");
        Arguments.positive(livenessInterval, "livenessInterval");
        if (livenessInterval.compareTo(MIN_LIVENESS_INTERVAL) < 0) {
            throw new IllegalArgumentException("livenessInterval is " + livenessInterval + "; it must be at least "
                    + MIN_LIVENESS_INTERVAL + " (each check is a round trip on the session connection)");
        }
        if (maxLocks < 1 || maxLocks > MAX_MAX_LOCKS) {
            throw new IllegalArgumentException(
                    "maxLocks is " + maxLocks + "; it must be between 1 and " + MAX_MAX_LOCKS);
        }
    }

    /** Every default: immediate takeover, a 500 ms liveness interval, at most 1000 locks per manager. */
    public static AdvisoryOptions defaults() {
        return DEFAULTS;
    }

    /** A builder with every default. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        return new Builder()
                .takeover(takeover)
                .livenessInterval(livenessInterval)
                .maxLocks(maxLocks);
    }

    /**
     * The options among the resources of {@code settings}, else those given as its properties, with defaults for the
     * others.
     *
     * @throws IllegalArgumentException if a property under {@code leasehold.advisory.} is unknown or its value is not
     *     valid (the message names the property), or if the options are given both as a value and as properties
     */
    public static AdvisoryOptions from(LockSettings settings) {
        Arguments.notNull(settings, "settings");
        Optional<AdvisoryOptions> given = settings.resource(AdvisoryOptions.class);
        boolean anyProperty = settings.properties().keySet().stream().anyMatch(k -> k.startsWith(PREFIX));
        if (given.isPresent()) {
            if (anyProperty) {
                throw new IllegalArgumentException("the advisory options are given both as an AdvisoryOptions"
                        + " resource and as " + PREFIX + "* properties: give them one way");
            }
            return given.get();
        }
        Builder b = builder();
        for (Map.Entry<String, String> e : settings.properties().entrySet()) {
            String key = e.getKey();
            if (!key.startsWith(PREFIX)) {
                continue;
            }
            String value = e.getValue().strip();
            switch (key) {
                case TAKEOVER_PROPERTY -> b.takeover(parseTakeover(value));
                case LIVENESS_INTERVAL_PROPERTY -> b.livenessInterval(Durations.parse(value, key));
                case MAX_LOCKS_PROPERTY -> b.maxLocks(parseInt(key, value));
                default ->
                    throw new IllegalArgumentException(
                            "unknown property " + key + "; the advisory backend knows " + new TreeSet<>(KEYS));
            }
        }
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid advisory properties: " + e.getMessage(), e);
        }
    }

    private static Takeover parseTakeover(String value) {
        String v = value.toLowerCase(Locale.ROOT).replace('_', '-');
        return switch (v) {
            case "immediate" -> Takeover.IMMEDIATE;
            case "after-expiry" -> Takeover.AFTER_EXPIRY;
            default ->
                throw new IllegalArgumentException(TAKEOVER_PROPERTY + " is \"" + value
                        + "\"; use \"immediate\" (the default) or \"after-expiry\"");
        };
    }

    private static int parseInt(String key, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " is \"" + value + "\"; give a positive integer");
        }
    }

    /**
     * Builds {@link AdvisoryOptions}; defaults are those of {@link AdvisoryOptions#defaults()}.
     *
     * <p>This class is not thread-safe.
     */
    public static final class Builder {
        private Takeover takeover = Takeover.IMMEDIATE;
        private Duration livenessInterval = DEFAULT_LIVENESS_INTERVAL;
        private int maxLocks = DEFAULT_MAX_LOCKS;

        private Builder() {}

        /** What to do when the advisory lock is free but the row shows an unexpired lease. Default immediate. */
        public Builder takeover(Takeover takeover) {
            this.takeover = Arguments.notNull(takeover, "takeover");
            return this;
        }

        /** How often a manager holding leases checks its session. Default 500 ms. */
        public Builder livenessInterval(Duration livenessInterval) {
            this.livenessInterval = Arguments.notNull(livenessInterval, "livenessInterval");
            return this;
        }

        /** The most advisory locks one manager holds at once. Default {@value AdvisoryOptions#DEFAULT_MAX_LOCKS}. */
        public Builder maxLocks(int maxLocks) {
            this.maxLocks = maxLocks;
            return this;
        }

        /** Checks the values and builds the options. */
        public AdvisoryOptions build() {
            return new AdvisoryOptions(takeover, livenessInterval, maxLocks);
        }
    }
}
