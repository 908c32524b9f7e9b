package dev.leasehold.lock.table.internal;

/**
 * A {@code (lock_name, token) IN ((?, ?), …)} condition over a batch of leases, for databases without array
 * parameters.
 *
 * <p>This class is thread-safe.
 */
final class RowValues {

    private RowValues() {}

    /** The condition for {@code size} leases: two parameters each, name then token. */
    static String inList(int size) {
        StringBuilder s = new StringBuilder("(lock_name, token) IN (");
        for (int i = 0; i < size; i++) {
            s.append(i == 0 ? "(?, ?)" : ", (?, ?)");
        }
        return s.append(')').toString();
    }
}
