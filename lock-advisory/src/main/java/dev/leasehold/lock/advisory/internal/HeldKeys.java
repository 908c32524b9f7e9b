package dev.leasehold.lock.advisory.internal;

import dev.leasehold.lock.LockBackendException;
import dev.leasehold.lock.advisory.AdvisoryOptions;
import dev.leasehold.lock.spi.LeaseKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The leases an advisory session holds, and how many times it holds each advisory key. Two names that hash to one key
 * (a collision) stack PostgreSQL's lock on it: the session holds the key once per name, and gives it back once per
 * name.
 *
 * <p>This class is not thread-safe: its session guards it with the session lock, except {@link #count()}, which any
 * thread may read.
 */
final class HeldKeys {

    private final int maxLocks;
    private final Map<String, Grant> byName = new HashMap<>();
    private final Map<Long, Integer> locksPerKey = new HashMap<>();
    private volatile int count;

    /** One lease the session holds: its row, and one count of its key's advisory lock. */
    static final class Grant {
        final String name;
        final String owner;
        final long token;
        final long key;
        /** When the row runs out, by a local estimate taken before the statement that set it. */
        long expiresAtNanos;

        Grant(String name, String owner, long token, long key, long expiresAtNanos) {
            this.name = name;
            this.owner = owner;
            this.token = token;
            this.key = key;
            this.expiresAtNanos = expiresAtNanos;
        }
    }

    /** @param maxLocks the most leases (advisory locks) the session may hold, at least 1 */
    HeldKeys(int maxLocks) {
        if (maxLocks < 1) {
            throw new IllegalArgumentException("maxLocks is " + maxLocks + "; it must be at least 1");
        }
        this.maxLocks = maxLocks;
    }

    /** Whether the session holds a lease on the name, whoever its owner and token. */
    boolean holds(String name) {
        return byName.containsKey(name);
    }

    /** Whether the session holds the key's advisory lock, for any name. */
    boolean holdsKey(long key) {
        return locksPerKey.getOrDefault(key, 0) > 0;
    }

    /** How many times the session holds the key's advisory lock: once per name held on it. */
    int locksOn(long key) {
        return locksPerKey.getOrDefault(key, 0);
    }

    /**
     * Checks that the session may take one more advisory lock.
     *
     * @throws LockBackendException naming the lock and the cap, if the session holds as many as the cap
     */
    void checkRoom(String name) {
        if (byName.size() >= maxLocks) {
            throw new LockBackendException(
                    name,
                    null,
                    "lock '" + name + "' was not acquired: this manager already holds " + byName.size()
                            + " advisory locks, its cap (" + AdvisoryOptions.MAX_LOCKS_PROPERTY + " = " + maxLocks
                            + "). Release some first, or raise the cap if the server's lock table"
                            + " (max_locks_per_transaction × max_connections) leaves room for more",
                    null);
        }
    }

    /** Records a lease the session was just granted, and one more count of its key. */
    Grant add(String name, String owner, long token, long key, long expiresAtNanos) {
        Grant g = new Grant(name, owner, token, key, expiresAtNanos);
        byName.put(name, g);
        locksPerKey.merge(key, 1, Integer::sum);
        count = byName.size();
        return g;
    }

    /** The lease held on the name with this owner and token, or null if the session holds no such lease. */
    Grant find(String name, String owner, long token) {
        Grant g = byName.get(name);
        return g != null && g.token == token && g.owner.equals(owner) ? g : null;
    }

    /** The leases the session holds among {@code leases} of {@code owner}, in their order, each name once. */
    Collection<Grant> find(String owner, Collection<LeaseKey> leases) {
        Map<String, Grant> mine = new LinkedHashMap<>();
        for (LeaseKey lease : leases) {
            Grant g = find(lease.name(), owner, lease.token());
            if (g != null) {
                mine.put(lease.name(), g);
            }
        }
        return mine.values();
    }

    /** The leases whose rows have run out by {@code nowNanos} without a renewal. */
    List<Grant> ranOut(long nowNanos) {
        List<Grant> ranOut = new ArrayList<>();
        for (Grant g : byName.values()) {
            if (nowNanos - g.expiresAtNanos >= 0) {
                ranOut.add(g);
            }
        }
        return ranOut;
    }

    /** Forgets a lease and one count of its key; does nothing if that grant is no longer held. */
    void remove(Grant g) {
        if (byName.remove(g.name, g)) {
            locksPerKey.computeIfPresent(g.key, (k, n) -> n == 1 ? null : n - 1);
        }
        count = byName.size();
    }

    /**
     * Forgets leases whose rows are gone, and one count of each one's key.
     *
     * @return the key of each, once per lease: what the session must unlock, in one statement
     */
    Long[] drop(Collection<Grant> grants) {
        Long[] keys = new Long[grants.size()];
        int i = 0;
        for (Grant g : grants) {
            remove(g);
            keys[i++] = g.key;
        }
        return keys;
    }

    /** Forgets every lease, as when the session ends; returns how many there were. */
    int clear() {
        int n = byName.size();
        byName.clear();
        locksPerKey.clear();
        count = 0;
        return n;
    }

    /** Whether the session holds no lease. */
    boolean isEmpty() {
        return byName.isEmpty();
    }

    /** How many leases the session holds; readable from any thread. */
    int count() {
        return count;
    }
}
