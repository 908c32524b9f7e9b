package dev.leasehold.lock.testing;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * A HikariCP pool over a test database whose server sessions can be found and ended from the server side, made by
 * {@link TestDatabase#newPool(String, int)}. Its {@link #name()} is unique among the JVMs that share the database; it is
 * the pool's name and, on PostgreSQL, every session's {@code application_name}; on MariaDB and H2 the pool records the
 * session id of every connection it opens ({@code CONNECTION_ID()}, {@code SESSION_ID()}). {@link #endSessions()} ends
 * those that are open, as an administrator would, and returns once the server shows them gone.
 *
 * <p>It opens connections on demand and keeps none idle beyond those used. Close it when done.
 *
 * <p>This class is thread-safe.
 */
public final class TestPool extends HikariDataSource {

    /** The longest name {@link TestDatabase#newPool} takes: with the suffix it stays within PostgreSQL's 63 bytes. */
    public static final int MAX_NAME_LENGTH = 40;

    private static final Pattern VALID_NAME = Pattern.compile("[A-Za-z0-9._-]{1," + MAX_NAME_LENGTH + "}");
    private static final long PID = ProcessHandle.current().pid();
    private static final AtomicInteger COUNT = new AtomicInteger();

    /** How long a pool's callers and connections may wait, by what the database may do to them. */
    enum Waits {
        /**
         * A server that stays up: HikariCP's own 30 s for a connection from a busy pool, the drivers' defaults (no
         * socket timeout) for statements.
         */
        SERVER_STAYS_UP,
        /**
         * A server that tests restart: {@code getConnection} while the server is down fails after 1 s, a connection
         * attempt after 2 s, and a read on a socket that went silent after 10 s, so that nothing hangs on the pool or
         * the driver.
         */
        SERVER_RESTARTS
    }

    private final TestDatabase database;
    private final String name;
    private final Set<Long> recordedSessions;

    private TestPool(HikariConfig config, TestDatabase database, String name, Set<Long> recordedSessions) {
        super(config);
        this.database = database;
        this.name = name;
        this.recordedSessions = recordedSessions;
    }

    static TestPool create(TestDatabase db, String name, int size, Waits waits) {
        if (name == null || !VALID_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name is " + (name == null ? "null" : '"' + name + '"') + "; pass 1 to "
                    + MAX_NAME_LENGTH + " letters, digits, '.', '_' or '-'");
        }
        if (size < 1) {
            throw new IllegalArgumentException("size is " + size + "; pass at least 1");
        }
        String unique = name + "-" + PID + "-" + COUNT.incrementAndGet();
        Map<String, String> properties = new HashMap<>();
        if (db.kind() == DatabaseKind.POSTGRESQL) {
            properties.put("ApplicationName", unique);
        }
        if (waits == Waits.SERVER_RESTARTS && db.kind() == DatabaseKind.POSTGRESQL) {
            properties.put("connectTimeout", "2");
            properties.put("socketTimeout", "10");
        }
        Set<Long> recorded = ConcurrentHashMap.newKeySet();
        HikariConfig config = new HikariConfig();
        config.setPoolName(unique);
        config.setDataSource(new Recording(db, properties, recorded));
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(0);
        if (waits == Waits.SERVER_RESTARTS) {
            config.setConnectionTimeout(TimeUnit.SECONDS.toMillis(1));
            config.setValidationTimeout(TimeUnit.SECONDS.toMillis(1));
        }
        return new TestPool(config, db, unique, recorded);
    }

    /**
     * The name the pool was given followed by {@code -<pid>-<n>}, such as {@code tck-4711-3}: unique among the JVMs
     * that share the database, so that ending this pool's sessions never touches another's.
     */
    public String name() {
        return name;
    }

    /** The database the pool connects to. */
    public TestDatabase database() {
        return database;
    }

    /**
     * The ids of the sessions this pool has open on the server right now (PostgreSQL backend pids, MariaDB connection
     * ids, H2 session ids; behind a PgBouncer, its server connections), as the server lists them.
     *
     * @throws IllegalStateException if the server cannot be asked
     */
    public List<Long> openSessions() {
        return database.sessions().open(this);
    }

    /**
     * Ends every session this pool has open, from a connection of its own, as an administrator would ({@code
     * pg_terminate_backend}, {@code KILL CONNECTION}, H2's {@code ABORT_SESSION}), and returns once the server no
     * longer lists any of them (at most 10 s). Behind a PgBouncer, where a client has no server connection of its own
     * between transactions, it ends every server connection of the PgBouncer, which includes those this pool's
     * transactions ran on.
     *
     * <p>On PostgreSQL and MariaDB the pool is left as it is: HikariCP finds a broken connection by the SQLState of its
     * next failure (class 08, 57P01) and discards it, as after a real kill. H2 reports a connection whose session
     * ended as "Database is already closed" (SQLState 90121), which HikariCP does not take for a broken connection:
     * such a connection would go back to the pool and fail every borrower for as long as it was used within half a
     * second. So on H2 the pool also retires its connections here (HikariCP's soft eviction): idle ones at once, those
     * in use when they are returned, which still fail until then.
     *
     * @return how many sessions were ended
     * @throws IllegalStateException if the pool has no session open (so that a kill that does nothing cannot pass for
     *     one), or a session is still there after 10 s
     */
    public int endSessions() {
        int ended = database.sessions().end(this);
        if (database.kind() == DatabaseKind.H2) {
            getHikariPoolMXBean().softEvictConnections();
        }
        return ended;
    }

    /** The session ids this pool's connections reported when opened (MariaDB and H2; empty on PostgreSQL). */
    Set<Long> recordedSessions() {
        return recordedSessions;
    }

    @Override
    public String toString() {
        return "pool " + name + " over " + database;
    }

    /** Physical connections that tell their session id on MariaDB and H2, recorded as they are opened. */
    private static final class Recording extends DriverDataSource {
        private final String idQuery;
        private final Set<Long> recorded;

        Recording(TestDatabase db, Map<String, String> properties, Set<Long> recorded) {
            super(db, properties);
            this.idQuery = switch (db.kind()) {
                case MARIADB -> "SELECT CONNECTION_ID()";
                case H2 -> "SELECT SESSION_ID()";
                case POSTGRESQL -> null; // found by application_name
            };
            this.recorded = recorded;
        }

        @Override
        public Connection getConnection() throws SQLException {
            Connection connection = super.getConnection();
            if (idQuery != null) {
                try (Statement s = connection.createStatement();
                        ResultSet rs = s.executeQuery(idQuery)) {
                    rs.next();
                    recorded.add(rs.getLong(1));
                } catch (SQLException | RuntimeException e) {
                    try {
                        connection.close();
                    } catch (SQLException closing) {
                        e.addSuppressed(closing);
                    }
                    throw e;
                }
            }
            return connection;
        }
    }
}
