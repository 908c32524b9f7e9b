package dev.leasehold.examples.scheduled;

import dev.leasehold.lock.spring.Locked;
import dev.leasehold.lock.spring.Locked.OnHeld;
import dev.leasehold.lock.spring.LockedContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Pays one invoice under a lock of its own ({@code invoice-<id>}, a per-call key), so that instances pay different
 * invoices at the same time and never the same one twice.
 *
 * <p>This class is thread-safe.
 */
@Component
public class Invoices {

    private static final Logger LOG = LoggerFactory.getLogger(Invoices.class);

    private final ExampleTables tables;

    public Invoices(ExampleTables tables) {
        this.tables = tables;
    }

    /** Pays invoice {@code id} unless another instance holds its lock (skipped) or has paid it already. */
    @Locked(name = "invoice-#{#id}", onHeld = OnHeld.SKIP)
    public void pay(long id) {
        // Another instance may have paid it between our query and our lock: look again, under the lock.
        if (!tables.isPending(id)) {
            return;
        }
        tables.recordRun(
                "invoice", Long.toString(id), LockedContext.currentLease().token());
        tables.markPaid(id);
    }
}
