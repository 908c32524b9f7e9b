package dev.leasehold.lock.spring.boot.actuate;

import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.jdbc.JdbcLockManager;
import java.util.List;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * The Actuator endpoint {@code leasehold}: the locks held now in the lease table, by database time, and one lock's
 * holder. Over HTTP: {@code GET /actuator/leasehold} and {@code GET /actuator/leasehold/{name}} (404 when nobody holds
 * it). Freeing a lock is {@link LeaseholdAdminEndpoint}'s, registered instead of this one only when {@code
 * leasehold.actuator.force-release.enabled=true}.
 *
 * <p>The listing reads the table every backend keeps its leases in, through a {@code jdbc}-backend manager over the same
 * table (the one {@code leasehold list} uses); one lock's holder comes from the application's own manager.
 *
 * <p>When {@code table} is a manager of its own (not the application's), the endpoint closes it in {@link #close()},
 * which Spring calls when the context closes.
 *
 * <p>This class is thread-safe.
 */
@Endpoint(id = LeaseholdEndpoint.ID)
public class LeaseholdEndpoint implements AutoCloseable {

    /** The endpoint id. */
    public static final String ID = "leasehold";

    private final LockManager manager;
    private final JdbcLockManager table;

    /**
     * An endpoint over the application's manager and a {@code jdbc} manager of the same lease table (the same object
     * when the application's manager is a {@code jdbc} one).
     */
    public LeaseholdEndpoint(LockManager manager, JdbcLockManager table) {
        if (manager == null || table == null) {
            throw new IllegalArgumentException((manager == null ? "manager" : "table") + " must not be null");
        }
        this.manager = manager;
        this.table = table;
    }

    /** Every lock held now, by name, with this application's owner id. */
    @ReadOperation
    public LocksDescriptor locks() {
        String ownerId = manager.ownerId();
        List<LockDescriptor> locks = table.list().stream()
                .map(info -> LockDescriptor.of(info, ownerId))
                .toList();
        return new LocksDescriptor(ownerId, table.table(), locks);
    }

    /** The holder of the lock {@code name}, or null (HTTP 404) when nobody holds it. */
    @ReadOperation
    public LockDescriptor lock(@Selector String name) {
        return manager.inspect(name)
                .map(info -> LockDescriptor.of(info, manager.ownerId()))
                .orElse(null);
    }

    /** Closes the table's manager if it is not the application's. */
    @Override
    public void close() {
        if (table != manager) {
            table.close();
        }
    }

    /** The table the locks are read from, for the admin operation. */
    final JdbcLockManager table() {
        return table;
    }

    /** The application's manager. */
    final LockManager manager() {
        return manager;
    }

    /**
     * The locks held now.
     *
     * @param ownerId this application's owner id
     * @param table the lease table, quoted and qualified as SQL
     * @param locks the locks held now, by name
     */
    public record LocksDescriptor(String ownerId, String table, List<LockDescriptor> locks) {}
}
