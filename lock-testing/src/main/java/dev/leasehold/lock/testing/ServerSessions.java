package dev.leasehold.lock.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Finds the server sessions of a {@link TestPool} and ends them, always from a new connection of its own (never one
 * of the pool's), so that the administrator is never among the sessions it ends:
 *
 * <ul>
 *   <li>PostgreSQL: the backends whose {@code application_name} is the pool's name, ended with {@code
 *       pg_terminate_backend};
 *   <li>MariaDB: the connection ids the pool recorded that {@code information_schema.PROCESSLIST} still lists, ended
 *       with {@code KILL CONNECTION};
 *   <li>H2: the session ids the pool recorded that {@code INFORMATION_SCHEMA.SESSIONS} still lists, ended with {@code
 *       ABORT_SESSION};
 *   <li>behind a PgBouncer: every server connection the PgBouncer holds, ended on the PostgreSQL behind it.
 * </ul>
 *
 * <p>This class is thread-safe.
 */
final class ServerSessions {

    /** How long {@link #end} waits for the server to stop listing the sessions it ended. */
    static final Duration END_TIMEOUT = Duration.ofSeconds(10);

    private final TestDatabase admin;
    private final Supplier<List<Long>> pgBouncerServers;

    private ServerSessions(TestDatabase admin, Supplier<List<Long>> pgBouncerServers) {
        this.admin = admin;
        this.pgBouncerServers = pgBouncerServers;
    }

    /** The sessions of pools connected straight to {@code db}, found and ended on {@code db} itself. */
    static ServerSessions direct(TestDatabase db) {
        return new ServerSessions(Objects.requireNonNull(db, "db"), null);
    }

    /**
     * The sessions of pools connected through a PgBouncer: {@code servers} lists its server connections' backend pids,
     * which are ended on {@code upstream}.
     */
    static ServerSessions behindPgBouncer(TestDatabase upstream, Supplier<List<Long>> servers) {
        return new ServerSessions(Objects.requireNonNull(upstream, "upstream"), Objects.requireNonNull(servers));
    }

    /** The ids of the pool's sessions the server lists now. */
    List<Long> open(TestPool pool) {
        try (Connection c = admin.connect()) {
            return open(c, pool);
        } catch (SQLException e) {
            throw new IllegalStateException("could not list the sessions of " + pool + ": " + e.getMessage(), e);
        }
    }

    /** Ends the pool's open sessions and waits until the server lists none of them; returns how many. */
    int end(TestPool pool) {
        try (Connection c = admin.connect()) {
            List<Long> open = open(c, pool);
            if (open.isEmpty()) {
                throw new IllegalStateException(pool + " has no session open on the server to end");
            }
            List<SQLException> refusals = new ArrayList<>();
            for (long id : open) {
                try {
                    endOne(c, id);
                } catch (SQLException e) {
                    refusals.add(e); // it may have ended meanwhile: the wait below decides
                }
            }
            long deadline = System.nanoTime() + END_TIMEOUT.toNanos();
            Set<Long> left = stillListed(c, open);
            while (!left.isEmpty()) {
                if (System.nanoTime() - deadline > 0) {
                    IllegalStateException e = new IllegalStateException("sessions " + left + " of " + pool
                            + " were still listed by the server " + END_TIMEOUT.toSeconds() + " s after being ended");
                    refusals.forEach(e::addSuppressed);
                    throw e;
                }
                // Polling the server's session list: there is nothing to wait on for another session's end.
                Thread.sleep(10);
                left = stillListed(c, open);
            }
            pool.recordedSessions().removeAll(open);
            return open.size();
        } catch (SQLException e) {
            throw new IllegalStateException("could not end the sessions of " + pool + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while ending the sessions of " + pool, e);
        }
    }

    private List<Long> open(Connection c, TestPool pool) throws SQLException {
        if (pgBouncerServers != null) {
            Set<Long> servers = new HashSet<>(pgBouncerServers.get());
            return listed(c).stream().filter(servers::contains).toList();
        }
        if (admin.kind() == DatabaseKind.POSTGRESQL) {
            List<Long> pids = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT pid FROM pg_stat_activity"
                    + " WHERE application_name = ? AND pid <> pg_backend_pid() ORDER BY pid")) {
                ps.setString(1, pool.name());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        pids.add(rs.getLong(1));
                    }
                }
            }
            return pids;
        }
        Set<Long> recorded = pool.recordedSessions();
        return listed(c).stream().filter(recorded::contains).sorted().toList();
    }

    private void endOne(Connection c, long id) throws SQLException {
        switch (admin.kind()) {
            case POSTGRESQL -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
                    ps.setInt(1, Math.toIntExact(id));
                    ps.executeQuery().close();
                }
            }
            case MARIADB -> {
                // KILL takes no parameter; the id is a number the server gave, not text from anyone.
                try (Statement s = c.createStatement()) {
                    s.execute("KILL CONNECTION " + id);
                }
            }
            case H2 -> {
                try (PreparedStatement ps = c.prepareStatement("CALL ABORT_SESSION(?)")) {
                    ps.setInt(1, Math.toIntExact(id));
                    ps.executeQuery().close();
                }
            }
        }
    }

    private Set<Long> stillListed(Connection c, List<Long> ended) throws SQLException {
        Set<Long> listed = new HashSet<>(listed(c));
        listed.retainAll(ended);
        return listed;
    }

    /** Every session the server lists (that this user may see). */
    private List<Long> listed(Connection c) throws SQLException {
        String query = switch (admin.kind()) {
            case POSTGRESQL -> "SELECT pid FROM pg_stat_activity";
            case MARIADB -> "SELECT ID FROM information_schema.PROCESSLIST";
            case H2 -> "SELECT SESSION_ID FROM INFORMATION_SCHEMA.SESSIONS";
        };
        List<Long> ids = new ArrayList<>();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(query)) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
        }
        return ids;
    }
}
