package dev.leasehold.lock.spring.boot;

import dev.leasehold.lock.LockConfigurationException;
import dev.leasehold.lock.LockListener;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.Locks;
import dev.leasehold.lock.RetryOptions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

/**
 * Builds the {@link LockManager} of {@link LeaseholdAutoConfiguration} from {@link LeaseholdProperties} and the
 * application's resources, with errors that name the property to fix.
 *
 * <p>This class is thread-safe.
 */
final class PropertiesLockManagerFactory {

    /** The names {@code Locks.builder()} uses in its messages, and the properties they come from. */
    private static final Map<String, String> PROPERTY_OF = Map.ofEntries(
            Map.entry("leaseTime", "leasehold.lease-time"),
            Map.entry("heartbeatInterval", "leasehold.heartbeat-interval"),
            Map.entry("rowLockTimeout", "leasehold.row-lock-timeout"),
            Map.entry("drainTimeout", "leasehold.drain-timeout"),
            Map.entry("purgeIdleAfter", "leasehold.purge-idle-after"),
            Map.entry("schema", "leasehold.schema"),
            Map.entry("tablePrefix", "leasehold.table-prefix"),
            Map.entry("ownerId", "leasehold.owner-id"),
            Map.entry("backend", "leasehold.backend"),
            Map.entry("maxRetries", "leasehold.retry.max-retries"),
            Map.entry("delay", "leasehold.retry.delay"),
            Map.entry("maxDelay", "leasehold.retry.max-delay"),
            Map.entry("backoffFactor", "leasehold.retry.backoff-factor"),
            Map.entry("jitter", "leasehold.retry.jitter"),
            Map.entry("maxWait", "leasehold.retry.max-wait"));

    private static final Pattern SETTING_NAME =
            Pattern.compile("\\b(" + String.join("|", PROPERTY_OF.keySet()) + ")\\b");
    /**
     * The backends that read options from the settings' properties. ({@code leasehold.jpa.*} are persistence-unit
     * properties, set as {@code spring.jpa.properties.leasehold.jpa.*}.)
     */
    private static final List<String> BACKENDS_WITH_OPTIONS = List.of("advisory");

    private PropertiesLockManagerFactory() {}

    /**
     * Builds the manager over {@code resources} (DataSource, EntityManagerFactory, Jdbi; in that order), telling
     * {@code listeners} of its events.
     *
     * @throws LockConfigurationException naming the {@code leasehold.*} property, if a value is invalid or no backend
     *     fits
     */
    static LockManager create(
            LeaseholdProperties properties,
            Environment environment,
            List<Object> resources,
            List<LockListener> listeners) {
        try {
            Locks.Builder builder = Locks.builder();
            for (Object resource : resources) {
                builder.resource(resource);
            }
            if (properties.getBackend() != null && !properties.getBackend().isBlank()) {
                builder.backend(properties.getBackend().strip());
            }
            builder.leaseTime(properties.getLeaseTime())
                    .rowLockTimeout(properties.getRowLockTimeout())
                    .tablePrefix(properties.getTablePrefix())
                    .createTableIfMissing(properties.isCreateTable())
                    .retry(retry(properties.getRetry()))
                    .ownerId(properties.getOwnerId() != null ? properties.getOwnerId() : defaultOwnerId(environment));
            if (properties.getHeartbeatInterval() != null) {
                builder.heartbeatInterval(properties.getHeartbeatInterval());
            }
            if (properties.getDrainTimeout() != null) {
                builder.drainTimeout(properties.getDrainTimeout());
            }
            if (properties.getPurgeIdleAfter() != null) {
                builder.purgeIdleAfter(properties.getPurgeIdleAfter());
            }
            if (properties.getSchema() != null && !properties.getSchema().isBlank()) {
                builder.schema(properties.getSchema().strip());
            }
            backendOptions(environment).forEach(builder::property);
            listeners.forEach(builder::listener);
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw new LockConfigurationException("invalid leasehold.* property: " + withPropertyNames(e.getMessage()));
        } catch (LockConfigurationException e) {
            throw new LockConfigurationException(
                    "cannot build the LockManager from the leasehold.* properties: " + e.getMessage()
                            + " (set leasehold.backend to choose a backend, or leasehold.enabled=false to do without)",
                    e);
        }
    }

    /** The default owner id: the application's name, then what {@link LockSettings#defaultOwnerId(String)} adds. */
    static String defaultOwnerId(Environment environment) {
        return LockSettings.defaultOwnerId(environment.getProperty("spring.application.name", "application"));
    }

    /** The {@code leasehold.retry.*} properties as {@link RetryOptions}. */
    static RetryOptions retry(LeaseholdProperties.Retry retry) {
        // Without max-delay the sleeps stop growing at the delay, which is also what RetryOptions does without backoff.
        RetryOptions.Builder b = RetryOptions.builder()
                .maxRetries(retry.getMaxRetries())
                .delay(retry.getDelay())
                .backoff(retry.getMaxDelay() != null ? retry.getMaxDelay() : retry.getDelay(), retry.getBackoffFactor())
                .jitter(retry.getJitter());
        if (retry.getMaxWait() != null) {
            b.maxWait(retry.getMaxWait());
        }
        return b.build();
    }

    /**
     * {@code leasehold.<backend>.<key>} for each backend that has options, as the backend names them: Spring's
     * kebab-case keys become camelCase ({@code liveness-interval} is {@code livenessInterval}).
     */
    private static Map<String, String> backendOptions(Environment environment) {
        Map<String, String> options = new LinkedHashMap<>();
        Binder binder = Binder.get(environment);
        for (String backend : BACKENDS_WITH_OPTIONS) {
            binder.bind("leasehold." + backend, Bindable.mapOf(String.class, String.class))
                    .ifBound(map -> map.forEach(
                            (key, value) -> options.put("leasehold." + backend + "." + camelCase(key), value)));
        }
        return options;
    }

    private static String camelCase(String key) {
        StringBuilder out = new StringBuilder();
        boolean upper = false;
        for (char c : key.toCharArray()) {
            if (c == '-') {
                upper = true;
            } else {
                out.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return out.toString();
    }

    private static String withPropertyNames(String message) {
        Matcher m = SETTING_NAME.matcher(message);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + " (" + PROPERTY_OF.get(m.group(1)) + ")"));
        }
        m.appendTail(out);
        return out.toString();
    }
}
