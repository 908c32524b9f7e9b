package dev.leasehold.lock.jdbc.internal;

import dev.leasehold.lock.spi.LeaseKey;
import java.util.List;
import org.jdbi.v3.core.statement.SqlStatement;

/**
 * A {@code (lock_name, token) IN ((:n0, :t0), …)} condition over a batch of leases, for databases without array
 * parameters.
 *
 * <p>This class is thread-safe.
 */
final class RowValues {

    private RowValues() {}

    /** The condition for {@code size} leases, with parameters {@code n0, t0, n1, t1, …}. */
    static String inList(int size) {
        StringBuilder s = new StringBuilder("(lock_name, token) IN (");
        for (int i = 0; i < size; i++) {
            s.append(i == 0 ? "" : ", ")
                    .append("(:n")
                    .append(i)
                    .append(", :t")
                    .append(i)
                    .append(')');
        }
        return s.append(')').toString();
    }

    /** Binds the leases to the parameters of {@link #inList}. */
    static void bind(SqlStatement<?> statement, List<LeaseKey> leases) {
        for (int i = 0; i < leases.size(); i++) {
            statement
                    .bind("n" + i, leases.get(i).name())
                    .bind("t" + i, leases.get(i).token());
        }
    }
}
