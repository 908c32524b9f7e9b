package dev.leasehold.lock.jpa.internal;

import jakarta.persistence.EntityManagerFactory;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Tells waiters in this JVM that a lock was released through the same EntityManagerFactory, so that they wake at once
 * instead of at their next look at the database. One instance per factory (held weakly, so a closed factory's signals
 * go with it); only names somebody waits for are tracked.
 *
 * <p>This class is thread-safe.
 */
final class ReleaseSignals {

    private static final Map<EntityManagerFactory, ReleaseSignals> BY_FACTORY =
            Collections.synchronizedMap(new WeakHashMap<>());

    /** Per watched key: the number of releases seen and the number of watchers. Guarded by this. */
    private final Map<String, long[]> watched = new HashMap<>();

    private ReleaseSignals() {}

    static ReleaseSignals of(EntityManagerFactory emf) {
        return BY_FACTORY.computeIfAbsent(emf, k -> new ReleaseSignals());
    }

    /** Starts watching {@code key}; returns the version to wait past. Pair with {@link #unwatch}. */
    synchronized long watch(String key) {
        long[] entry = watched.computeIfAbsent(key, k -> new long[2]);
        entry[1]++;
        return entry[0];
    }

    synchronized void unwatch(String key) {
        long[] entry = watched.get(key);
        if (entry != null && --entry[1] == 0) {
            watched.remove(key);
        }
    }

    /** Wakes the watchers of {@code key}. */
    synchronized void released(String key) {
        long[] entry = watched.get(key);
        if (entry != null) {
            entry[0]++;
            notifyAll();
        }
    }

    /** Waits until {@code key} is released after {@code version} or {@code nanos} pass; true if it was released. */
    synchronized boolean await(String key, long version, long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        while (true) {
            long[] entry = watched.get(key);
            if (entry == null || entry[0] != version) {
                return true;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }
}
