package dev.leasehold.lock.tck;

import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.core.internal.EngineAccess;

/**
 * Crash simulation for tests of backends built on the engine.
 *
 * <p>This class is thread-safe.
 */
public final class Crashes {

    private Crashes() {}

    /**
     * Crashes {@code manager} as its process would crash: the heartbeat stops and every lease is forgotten without
     * being released, so that the leases stay in the store until they expire. The store is left open (close it, or kill
     * its connections, to simulate the connections dying too). Afterwards the manager behaves as closed.
     *
     * @throws IllegalArgumentException if {@code manager} is not built on the engine ({@code LeaseLockManager})
     */
    public static void abandon(LockManager manager) {
        EngineAccess.abandon(manager);
    }
}
