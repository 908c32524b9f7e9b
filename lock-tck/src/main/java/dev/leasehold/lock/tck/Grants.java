package dev.leasehold.lock.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leasehold.lock.Lease;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The grants a test saw, in the order they were made, to check fencing tokens: record each lease as soon as {@code
 * acquire} or {@code tryAcquire} returns it (a lock is granted again only after its holder released it or its lease
 * expired, so the order of recording is the order of granting).
 *
 * <p>This class is thread-safe.
 */
public final class Grants {

    private final Map<String, List<Long>> tokensByName = new LinkedHashMap<>(); // guarded by this

    /** Records a grant; returns the lease for chaining. */
    public Lease record(Lease lease) {
        record(lease.name(), lease.token());
        return lease;
    }

    /** Records a grant of {@code name} with {@code token}. */
    public synchronized void record(String name, long token) {
        tokensByName.computeIfAbsent(name, k -> new ArrayList<>()).add(token);
    }

    /** The tokens granted for {@code name}, in the order they were recorded. */
    public synchronized List<Long> tokens(String name) {
        return List.copyOf(tokensByName.getOrDefault(name, List.of()));
    }

    /** How many grants were recorded, over all names. */
    public synchronized int count() {
        return tokensByName.values().stream().mapToInt(List::size).sum();
    }

    /** Asserts that every name's tokens strictly increase in the order they were granted (so none repeats). */
    public synchronized void assertStrictlyIncreasing() {
        tokensByName.forEach((name, tokens) -> assertThat(tokens)
                .as("tokens granted for lock '%s', in the order they were granted", name)
                .isSorted()
                .doesNotHaveDuplicates());
    }

    @Override
    public synchronized String toString() {
        return "Grants" + tokensByName;
    }
}
