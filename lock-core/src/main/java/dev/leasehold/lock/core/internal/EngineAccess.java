package dev.leasehold.lock.core.internal;

import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.core.LeaseLockManager;
import java.util.function.Function;

/**
 * Reaches the engine behind a {@link LeaseLockManager} from this package, without a public accessor on the manager:
 * the manager registers how when its class is initialised (the JDK's "shared secrets" pattern), which happens before
 * any manager exists.
 *
 * <p>This class is thread-safe.
 */
public final class EngineAccess {

    private static volatile Function<LeaseLockManager, Engine> access;

    private EngineAccess() {}

    /**
     * Called once, by {@link LeaseLockManager}'s class initialiser.
     *
     * @throws IllegalStateException if called again
     */
    public static synchronized void register(Function<LeaseLockManager, Engine> accessor) {
        if (access != null) {
            throw new IllegalStateException("the engine accessor is registered already");
        }
        access = accessor;
    }

    /**
     * Simulates a crash of {@code manager}'s process, for tests and the demo: stops the heartbeat and forgets every
     * lease without releasing it, so that the leases stay in the store until they expire. The store is left open (a
     * test closes it itself to simulate lost connections). Afterwards the manager behaves as closed.
     *
     * @throws IllegalArgumentException if {@code manager} is not built on the engine
     */
    public static void abandon(LockManager manager) {
        if (!(manager instanceof LeaseLockManager leaseManager)) {
            throw new IllegalArgumentException(
                    "manager is a " + manager.getClass().getName()
                            + ", not a LeaseLockManager: only managers built on the engine can be abandoned this way");
        }
        access.apply(leaseManager).abandon();
    }
}
