package dev.leasehold.lock.internal;

import dev.leasehold.lock.LockConfigurationException;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.Locks;
import dev.leasehold.lock.spi.LockProvider;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * The providers {@link ServiceLoader} found, those that failed to load, and the choice among them.
 *
 * <p>This class is immutable and thread-safe.
 */
public final class ProviderSelection {

    private static final System.Logger LOG = System.getLogger(ProviderSelection.class.getName());
    private static final int MAX_LOAD_ERRORS = 100;

    private final List<LockProvider> providers;
    private final List<String> failures;

    private ProviderSelection(List<LockProvider> providers, List<String> failures) {
        this.providers = List.copyOf(providers);
        this.failures = List.copyOf(failures);
    }

    /** Loads every provider visible to {@code classLoader}, recording each one that fails instead of skipping it. */
    public static ProviderSelection load(ClassLoader classLoader) {
        List<LockProvider> providers = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        Iterator<LockProvider> it =
                ServiceLoader.load(LockProvider.class, classLoader).iterator();
        // ServiceLoader keeps going after an error, but a broken configuration file can fail hasNext() forever.
        while (failures.size() < MAX_LOAD_ERRORS) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                providers.add(it.next());
            } catch (ServiceConfigurationError | LinkageError e) {
                failures.add(describe(e));
            }
        }
        return new ProviderSelection(providers, failures);
    }

    private static String describe(Throwable e) {
        StringBuilder s = new StringBuilder(e.toString());
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
            s.append(" <- ").append(c);
        }
        return s.toString();
    }

    /** The providers that loaded. */
    public List<LockProvider> providers() {
        return providers;
    }

    /** One line per provider that failed to load. */
    public List<String> failures() {
        return failures;
    }

    /** A line per provider found and per provider that failed to load. */
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        for (LockProvider p : providers) {
            lines.add(p.name() + " (" + p.getClass().getName() + "): needs " + p.requirements());
        }
        for (String f : failures) {
            lines.add("failed to load: " + f);
        }
        return lines;
    }

    /**
     * Chooses the provider: the one named by {@code override} (the system property) or by the settings, else the
     * single one that supports the settings.
     *
     * @throws LockConfigurationException if the named one is missing or unsuitable, or none or several fit
     */
    public LockProvider choose(LockSettings settings, String override) {
        Optional<String> requested =
                override != null && !override.isBlank() ? Optional.of(override.strip()) : settings.backend();
        String source = override != null && !override.isBlank()
                ? "system property " + Locks.BACKEND_PROPERTY
                : "Locks.builder().backend(...)";
        if (requested.isPresent()) {
            String name = requested.get();
            for (LockProvider p : providers) {
                if (p.name().equals(name)) {
                    if (!supportsQuietly(p, settings, new ArrayList<>())) {
                        throw new LockConfigurationException("backend '" + name + "' (named by " + source
                                + ") does not support these settings: it needs " + p.requirements());
                    }
                    warnAboutFailures();
                    return p;
                }
            }
            throw new LockConfigurationException("backend '" + name + "' was named by " + source
                    + " but no provider of that name was found; add its module (for example dev.leasehold:lock-"
                    + name + ") to the class path or module path." + report(settings));
        }
        List<LockProvider> fitting = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (LockProvider p : providers) {
            if (supportsQuietly(p, settings, errors)) {
                fitting.add(p);
            }
        }
        if (fitting.size() == 1 && errors.isEmpty()) {
            warnAboutFailures();
            return fitting.get(0);
        }
        if (fitting.isEmpty()) {
            throw new LockConfigurationException("no Leasehold backend supports these settings; give a resource one of"
                    + " them accepts, or add the backend's module to the class path." + report(settings)
                    + errorLines(errors));
        }
        List<String> names = fitting.stream().map(LockProvider::name).toList();
        throw new LockConfigurationException("several Leasehold backends support these settings: " + names
                + "; choose one with Locks.builder().backend(\"" + names.get(0) + "\") or -D"
                + Locks.BACKEND_PROPERTY + "=" + names.get(0) + "." + report(settings) + errorLines(errors));
    }

    private static boolean supportsQuietly(LockProvider p, LockSettings settings, List<String> errors) {
        try {
            return p.supports(settings);
        } catch (RuntimeException | LinkageError e) {
            errors.add(p.name() + ".supports(...) threw " + describe(e));
            return false;
        }
    }

    private void warnAboutFailures() {
        for (String f : failures) {
            LOG.log(System.Logger.Level.WARNING, "A Leasehold backend failed to load and was not considered: {0}", f);
        }
    }

    private String report(LockSettings settings) {
        StringBuilder s = new StringBuilder("\nProviders found:");
        if (providers.isEmpty()) {
            s.append(" none");
        }
        for (LockProvider p : providers) {
            boolean ok = supportsQuietly(p, settings, new ArrayList<>());
            s.append("\n  - ")
                    .append(p.name())
                    .append(" (")
                    .append(p.getClass().getName())
                    .append("): ")
                    .append(ok ? "supports these settings" : "does not support these settings")
                    .append("; needs ")
                    .append(p.requirements());
        }
        if (!failures.isEmpty()) {
            s.append("\nProviders that failed to load:");
            for (String f : failures) {
                s.append("\n  - ").append(f);
            }
        }
        s.append("\nResources given: ");
        s.append(
                settings.resources().isEmpty()
                        ? "none"
                        : settings.resources().stream()
                                .map(r -> r.getClass().getName())
                                .toList());
        return s.toString();
    }

    private static String errorLines(List<String> errors) {
        StringBuilder s = new StringBuilder();
        for (String e : errors) {
            s.append("\n  - ").append(e);
        }
        return errors.isEmpty() ? "" : "\nErrors while asking providers:" + s;
    }
}
