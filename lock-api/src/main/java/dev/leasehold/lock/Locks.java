package dev.leasehold.lock;

import dev.leasehold.lock.internal.Arguments;
import dev.leasehold.lock.internal.ProviderSelection;
import dev.leasehold.lock.spi.LockProvider;
import java.util.List;

/**
 * The entry point: {@code Locks.builder().dataSource(ds).build()} gives a {@link LockManager}.
 *
 * <p>The backend is chosen in this order: the system property {@value #BACKEND_PROPERTY}; the name given to {@link
 * Builder#backend(String)}; otherwise the one provider on the class or module path whose {@link
 * LockProvider#supports(LockSettings)} accepts the settings. When none or several fit, or the named one is missing,
 * {@link Builder#build()} throws a {@link LockConfigurationException} that lists every provider found, the ones that
 * failed to load, and how to choose.
 *
 * <p>This class is thread-safe.
 */
public final class Locks {

    /** The system property that names the backend, overriding {@link Builder#backend(String)}. */
    public static final String BACKEND_PROPERTY = "leasehold.backend";

    private Locks() {}

    /** A builder with every default of {@link LockSettings}. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * What {@link java.util.ServiceLoader} finds with this class loader: a line per provider, then a line per provider
     * that failed to load. For diagnostics.
     */
    public static List<String> describeProviders(ClassLoader classLoader) {
        return ProviderSelection.load(classLoader).describe();
    }

    /**
     * Builds a {@link LockManager}: the settings of {@link LockSettings.SettingsBuilder}, plus how to find the backend.
     *
     * <p>This class is not thread-safe.
     */
    public static final class Builder extends LockSettings.SettingsBuilder<Builder> {
        private ClassLoader classLoader;
        private LockProvider provider;

        private Builder() {}

        /** The class loader {@link java.util.ServiceLoader} searches. Default: the thread's context class loader. */
        public Builder classLoader(ClassLoader classLoader) {
            this.classLoader = Arguments.notNull(classLoader, "classLoader");
            return this;
        }

        /** Uses this provider directly, without {@link java.util.ServiceLoader}. */
        public Builder provider(LockProvider provider) {
            this.provider = Arguments.notNull(provider, "provider");
            return this;
        }

        /** Checks and returns the settings, without choosing a backend. */
        public LockSettings buildSettings() {
            return settings();
        }

        /**
         * Checks the settings, chooses the backend and builds the manager.
         *
         * @throws IllegalArgumentException if a setting is invalid
         * @throws LockConfigurationException if no backend or several fit, or the backend cannot start
         */
        public LockManager build() {
            LockSettings settings = settings();
            LockProvider chosen = provider;
            if (chosen == null) {
                ClassLoader loader = classLoader != null
                        ? classLoader
                        : Thread.currentThread().getContextClassLoader();
                if (loader == null) {
                    loader = Locks.class.getClassLoader();
                }
                chosen = ProviderSelection.load(loader).choose(settings, System.getProperty(BACKEND_PROPERTY));
            } else if (!chosen.supports(settings)) {
                throw new LockConfigurationException("backend '" + chosen.name()
                        + "' does not support these settings: it needs " + chosen.requirements());
            }
            // The provider's manager learns its own name, for the events it reports.
            return chosen.create(settings.toBuilder().backend(chosen.name()).build());
        }
    }
}
