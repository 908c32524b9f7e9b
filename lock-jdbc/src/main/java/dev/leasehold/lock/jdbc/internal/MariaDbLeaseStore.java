package dev.leasehold.lock.jdbc.internal;

import dev.leasehold.lock.spi.LeaseGrant;
import dev.leasehold.lock.spi.LeaseKey;
import dev.leasehold.lock.spi.SqlFailures;
import dev.leasehold.lock.table.internal.BusyRowRetries;
import dev.leasehold.lock.table.internal.MariaDbStatements;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lease table on MariaDB and MySQL ({@link MariaDbStatements}). Neither has {@code UPDATE … RETURNING}, so a grant
 * or renewal is a conditional write followed by a read of the row it wrote, on the same connection: two round trips.
 * The read is exact because nobody can take an unexpired lease over, and a lease not renewed by the write has expired
 * by the time of the read. A name never seen, or whose row is gone, takes an {@code INSERT IGNORE … SELECT} that starts
 * from the token floor, which reports a duplicate as zero rows. Row-lock waits are bounded inside the statements on
 * MariaDB, and an acquire that cannot wait (a {@code rowLockTimeout} under a second) tries again instead
 * ({@link BusyRowRetries}); a row still locked after that is reported as "held" by the engine. On MySQL a warning says
 * that the server's setting applies.
 *
 * <p>This class is thread-safe.
 */
final class MariaDbLeaseStore extends JdbcLeaseStore {

    private static final Logger LOG = LoggerFactory.getLogger(MariaDbLeaseStore.class);

    private static final int BATCH = 1_000;

    private final MariaDbStatements sql;

    MariaDbLeaseStore(OwnHandles handles, MariaDbStatements sql, String product) {
        super(handles, sql);
        this.sql = sql;
        if (!sql.boundsWaits()) {
            LOG.warn(
                    "{} cannot bound one statement's row-lock wait: Leasehold's statements on {} wait as long as the"
                            + " server's innodb_lock_wait_timeout says; set it low for the connections you give"
                            + " Leasehold",
                    product,
                    sql.table());
        }
    }

    @Override
    public Optional<LeaseGrant> tryAcquire(String name, String owner, Duration leaseTime) {
        long started = System.nanoTime();
        while (true) {
            try {
                return grant(name, owner, leaseTime);
            } catch (RuntimeException e) {
                if (!SqlFailures.isLockNotAvailable(e)
                        || !BusyRowRetries.pauseBeforeNextTry(started, sql.acquireRetryFor())) {
                    throw e;
                }
            }
        }
    }

    private Optional<LeaseGrant> grant(String name, String owner, Duration leaseTime) {
        long micros = micros(leaseTime);
        boolean known = isKnown(name);
        Optional<LeaseGrant> grant = write(h -> {
            int rows = bind(h.createUpdate(sql.acquireKnown()), owner, micros, name)
                    .execute();
            // A known name whose row is gone (purged) takes the insert path too; a held one costs that look.
            if (rows == 0 && (!known || !rowExists(h, name))) {
                rows = bind(h.createUpdate(sql.acquireNew()), name, owner, micros)
                        .execute();
            }
            if (rows == 0) {
                return Optional.<LeaseGrant>empty();
            }
            return bind(h.createQuery(sql.readGrant()), name, owner)
                    .map((rs, ctx) -> new LeaseGrant(rs.getLong(1), instant(rs, 2), instant(rs, 3)))
                    .findOne();
        });
        markKnown(name);
        return grant;
    }

    @Override
    public Map<String, Instant> renewAll(String owner, Collection<LeaseKey> leases, Duration leaseTime) {
        Map<String, Instant> renewed = new LinkedHashMap<>();
        inBatches(
                leases,
                BATCH,
                chunk -> write(h -> {
                    int written = bindLeases(
                                    bind(h.createUpdate(sql.renewAll(chunk.size())), micros(leaseTime), owner),
                                    2,
                                    chunk)
                            .execute();
                    if (written > 0) {
                        bindLeases(bind(h.createQuery(sql.readRenewed(chunk.size())), owner), 1, chunk)
                                .map((rs, ctx) -> Map.entry(rs.getString(1), instant(rs, 2)))
                                .forEach(e -> renewed.put(e.getKey(), e.getValue()));
                    }
                    return null;
                }));
        return renewed;
    }
}
