package dev.leasehold.lock.testing;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * A {@link DataSource} in front of a store's pool that sets the session time zone of every connection it hands out,
 * so that a test can move the local time a store's sessions see ({@code NOW()}, {@code LOCALTIMESTAMP}, a timestamp
 * without time zone read through the session) while the database's clock, which no test can move, stays where it is:
 * PostgreSQL {@code SET TIME ZONE INTERVAL '+hh:mm' HOUR TO MINUTE}, MariaDB {@code SET time_zone = '+hh:mm'}, H2
 * {@code SET TIME ZONE '+hh:mm'}. After {@link #skew} with several offsets, successive connections take them in turn;
 * after {@code skew()} with none (or only zero), every connection goes back to its session's default zone. A store
 * that takes every time from its database as an absolute instant sees nothing of it.
 *
 * <p>The zone is set as each connection is handed out, so a connection a store keeps open (a session holding advisory
 * locks) keeps the zone it was handed out with.
 *
 * <p>This class is thread-safe.
 */
public final class SessionZoneDataSource extends ForwardingDataSource {

    private final DatabaseKind kind;
    private final AtomicLong handedOut = new AtomicLong();
    private volatile List<Duration> offsets = List.of();
    private volatile boolean touched;

    /** A data source in front of {@code delegate}, a pool of a database of that {@code kind}. */
    public SessionZoneDataSource(DataSource delegate, DatabaseKind kind) {
        super(delegate);
        this.kind = kind;
    }

    /**
     * From the next connection on, sessions see their local time {@code offsets} ahead of UTC (negative: behind),
     * successive connections taking the offsets in turn; no offsets, or only zero, restore the default zone. Offsets are
     * whole minutes (MariaDB takes -12:59 to +13:00).
     *
     * @throws IllegalArgumentException if an offset is not a whole number of minutes
     */
    public void skew(Duration... offsets) {
        List<Duration> all = List.of(offsets);
        for (Duration offset : all) {
            if (offset.toSeconds() % 60 != 0 || offset.toNanosPart() != 0) {
                throw new IllegalArgumentException("a session time zone is whole minutes; " + offset + " is not");
            }
        }
        boolean none = all.stream().allMatch(Duration::isZero);
        this.offsets = none ? List.of() : all;
        if (!none) {
            touched = true;
        }
    }

    @Override
    Connection handOut(Opener open) throws SQLException {
        Connection connection = open.open();
        if (!touched) {
            return connection; // never skewed: no statement of ours on the store's connections
        }
        List<Duration> now = offsets;
        String sql = now.isEmpty()
                ? resetZone()
                : setZone(now.get((int) Math.floorMod(handedOut.getAndIncrement(), (long) now.size())));
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
            return connection;
        } catch (SQLException | RuntimeException e) {
            try {
                connection.close();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private String setZone(Duration offset) {
        long minutes = Math.abs(offset.toMinutes());
        String zone =
                String.format(Locale.ROOT, "%s%02d:%02d", offset.isNegative() ? "-" : "+", minutes / 60, minutes % 60);
        return switch (kind) {
            case POSTGRESQL -> "SET TIME ZONE INTERVAL '" + zone + "' HOUR TO MINUTE";
            case MARIADB -> "SET time_zone = '" + zone + "'";
            case H2 -> "SET TIME ZONE '" + zone + "'";
        };
    }

    private String resetZone() {
        return switch (kind) {
            case POSTGRESQL -> "SET TIME ZONE DEFAULT";
            case MARIADB -> "SET time_zone = DEFAULT";
            case H2 -> "SET TIME ZONE LOCAL";
        };
    }
}
