package dev.leasehold.lock.testproviders;

import dev.leasehold.lock.DistributedLock;
import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.LockOptions;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.spi.LockProvider;
import java.util.Optional;

/**
 * Providers registered in this module's test {@code META-INF/services}, to test how a backend is chosen. They accept
 * settings by marker strings among the resources; the managers they create only record which provider made them.
 */
public final class TestProviders {

    private TestProviders() {}

    /** The manager a test provider creates: it records its provider and holds no locks. */
    public record MadeBy(String provider, LockSettings settings) implements LockManager {
        @Override
        public DistributedLock lock(String name) {
            throw new UnsupportedOperationException("selection tests only");
        }

        @Override
        public DistributedLock lock(String name, LockOptions options) {
            throw new UnsupportedOperationException("selection tests only");
        }

        @Override
        public Optional<LockInfo> inspect(String name) {
            return Optional.empty();
        }

        @Override
        public String ownerId() {
            return settings.ownerId();
        }

        @Override
        public void close() {}
    }

    abstract static class Marked implements LockProvider {
        private final String name;

        Marked(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public boolean supports(LockSettings settings) {
            return settings.resources().contains(name) || settings.resources().contains("both");
        }

        @Override
        public String requirements() {
            return "the marker \"" + name + "\" or \"both\"";
        }

        @Override
        public LockManager create(LockSettings settings) {
            return new MadeBy(name, settings);
        }
    }

    /** Supports "alpha" and "both". */
    public static final class Alpha extends Marked {
        public Alpha() {
            super("alpha");
        }
    }

    /** Supports "beta" and "both". */
    public static final class Beta extends Marked {
        public Beta() {
            super("beta");
        }
    }

    /** Fails to load: its constructor throws. */
    public static final class Broken extends Marked {
        public Broken() {
            super("broken");
            throw new IllegalStateException("this provider cannot start");
        }
    }
}
