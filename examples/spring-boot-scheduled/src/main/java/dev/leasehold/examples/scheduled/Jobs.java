package dev.leasehold.examples.scheduled;

import dev.leasehold.lock.spring.Locked;
import dev.leasehold.lock.spring.Locked.OnHeld;
import dev.leasehold.lock.spring.LockedContext;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The scheduled jobs. Every instance fires them; the locks decide who does the work.
 *
 * <p>This class is thread-safe.
 */
@Component
public class Jobs {

    private static final Logger LOG = LoggerFactory.getLogger(Jobs.class);

    private final ExampleTables tables;
    private final Invoices invoices;

    public Jobs(ExampleTables tables, Invoices invoices) {
        this.tables = tables;
        this.invoices = invoices;
    }

    /** Pays the pending invoices, each under its own lock (see {@link Invoices#pay}). */
    @Scheduled(fixedDelayString = "${example.invoice-interval}")
    public void payInvoices() {
        for (long id : tables.pendingInvoices()) {
            invoices.pay(id);
        }
    }

    /**
     * Writes the summary of the current cron slot on one instance. The lock keeps two instances from running it at
     * once; the check under the lock keeps an instance whose clock or scheduler is late from running the same slot
     * again after the first has finished and released the lock.
     */
    @Scheduled(cron = "${example.summary-cron}")
    @Locked(name = "summary", onHeld = OnHeld.SKIP)
    public void summary() {
        String slot = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        if (!tables.hasRun("summary", slot)) {
            long token = LockedContext.currentLease().token();
            tables.recordRun("summary", slot, token);
            LOG.info("wrote the summary of {} under lock summary (fencing token {})", slot, token);
        }
    }
}
