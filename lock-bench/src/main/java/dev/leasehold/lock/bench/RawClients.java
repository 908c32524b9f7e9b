package dev.leasehold.lock.bench;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * Raw JDBC variants: the floor of a fenced, database-clock lease on each database, {@code SELECT 1}, raw advisory
 * locks, and a lease upsert with a durable release. Each operation borrows a connection from the pool, as a library
 * would.
 */
final class RawClients {

    private RawClients() {}

    /** {@code SELECT 1}: the round-trip floor; its "release" does nothing. */
    static Variant select1() {
        return new Variant(
                "select-1", "SELECT 1 (one round trip)", Variant.Role.RAW, false, false, new Variant.Factory() {
                    @Override
                    public void setUp(Database database) {}

                    @Override
                    public LockClient open(Proc proc) {
                        DataSource ds = proc.dataSource();
                        return new LockClient() {
                            @Override
                            public Held tryAcquire(String name) throws SQLException {
                                try (Connection c = ds.getConnection();
                                        Statement s = c.createStatement();
                                        ResultSet rs = s.executeQuery("SELECT 1")) {
                                    rs.next();
                                }
                                return () -> {};
                            }

                            @Override
                            public void close() {}
                        };
                    }
                });
    }

    /**
     * The floor of a fenced, database-clock lease: one durable conditional {@code UPDATE} that returns the new token,
     * and one guarded release (committed asynchronously on PostgreSQL, where that can be asked per transaction).
     */
    static Variant floor(DbKind kind) {
        String label = switch (kind) {
            case POSTGRESQL -> "floor: durable UPDATE … RETURNING token + release committed asynchronously";
            case MARIADB -> "floor: durable UPDATE … SET token = LAST_INSERT_ID(token + 1) + durable release";
            case H2 -> "floor: SELECT token FROM FINAL TABLE (UPDATE …) + release";
        };
        return new Variant("floor", label, Variant.Role.FLOOR, true, false, new TableFactory("floor_locks") {
            @Override
            public LockClient open(Proc proc) {
                return new LeaseRowClient(proc.dataSource(), table, kind, false);
            }
        });
    }

    /** A lease upsert ({@code INSERT … ON CONFLICT … DO UPDATE … WHERE expired RETURNING}) and a durable release. */
    static Variant durableUpsert() {
        return new Variant(
                "raw-upsert-durable",
                "raw lease upsert + release, both durable",
                Variant.Role.RAW,
                true,
                false,
                new TableFactory("upsert_locks") {
                    @Override
                    public LockClient open(Proc proc) {
                        return new LeaseRowClient(proc.dataSource(), table, DbKind.POSTGRESQL, true);
                    }
                });
    }

    /** A table of the run, created once per database. */
    abstract static class TableFactory implements Variant.Factory {
        private final String suffix;
        String table;

        TableFactory(String suffix) {
            this.suffix = suffix;
        }

        @Override
        public void setUp(Database database) throws SQLException {
            table = database.prefix() + suffix;
            database.execute(database.kind().dialect().executableDdl(table));
        }
    }

    /** The floor and the durable upsert: rows of a lease table, written with one statement per operation. */
    private static final class LeaseRowClient implements LockClient {
        /** Named, so that the statements fit the lease table whatever columns it has beyond these. */
        private static final String COLUMNS = " (lock_name, owner_id, token, acquired_at, expires_at)";

        private final DataSource ds;
        private final DbKind kind;
        private final boolean upsert;
        private final String owner = UUID.randomUUID().toString();
        private final Set<String> known = ConcurrentHashMap.newKeySet();
        private final String insert;
        private final String acquire;
        private final String release;

        LeaseRowClient(DataSource ds, String table, DbKind kind, boolean upsert) {
            this.ds = ds;
            this.kind = kind;
            this.upsert = upsert;
            switch (kind) {
                case POSTGRESQL -> {
                    insert = "INSERT INTO " + table + COLUMNS
                            + " VALUES (?, NULL, 0, clock_timestamp(), clock_timestamp()) ON CONFLICT DO NOTHING";
                    acquire = upsert
                            ? "INSERT INTO " + table + " AS t" + COLUMNS + " VALUES (?, ?, 1, clock_timestamp(),"
                                    + " clock_timestamp() + interval '30 seconds') ON CONFLICT (lock_name) DO UPDATE"
                                    + " SET owner_id = EXCLUDED.owner_id, token = t.token + 1,"
                                    + " acquired_at = clock_timestamp(), expires_at = clock_timestamp() + interval"
                                    + " '30 seconds' WHERE t.owner_id IS NULL OR t.expires_at <= clock_timestamp()"
                                    + " RETURNING token"
                            : "UPDATE " + table + " SET owner_id = ?, token = token + 1, acquired_at ="
                                    + " clock_timestamp(), expires_at = clock_timestamp() + interval '30 seconds'"
                                    + " WHERE lock_name = ? AND (owner_id IS NULL OR expires_at <= clock_timestamp())"
                                    + " RETURNING token";
                    release = upsert
                            ? "UPDATE " + table + " SET owner_id = NULL, expires_at = clock_timestamp()"
                                    + " WHERE lock_name = ? AND owner_id = ? AND token = ?"
                            // set_config(…, true) lasts for this statement's transaction only.
                            : "WITH w AS MATERIALIZED (SELECT set_config('synchronous_commit', 'off', true) AS a)"
                                    + " UPDATE " + table + " SET owner_id = NULL, expires_at = clock_timestamp()"
                                    + " FROM w WHERE lock_name = ? AND owner_id = ? AND token = ?";
                }
                case MARIADB -> {
                    insert = "INSERT IGNORE INTO " + table + COLUMNS
                            + " VALUES (?, NULL, 0, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))";
                    // LAST_INSERT_ID(expr) puts the new token into the OK packet: no second round trip to read it.
                    acquire = "UPDATE " + table + " SET owner_id = ?, token = LAST_INSERT_ID(token + 1),"
                            + " acquired_at = UTC_TIMESTAMP(6), expires_at = UTC_TIMESTAMP(6) + INTERVAL 30 SECOND"
                            + " WHERE lock_name = ? AND (owner_id IS NULL OR expires_at <= UTC_TIMESTAMP(6))";
                    release = "UPDATE " + table + " SET owner_id = NULL, expires_at = UTC_TIMESTAMP(6)"
                            + " WHERE lock_name = ? AND owner_id = ? AND token = ?";
                }
                case H2 -> {
                    insert = "MERGE INTO " + table + COLUMNS
                            + " KEY (lock_name) SELECT ?, NULL, 0, CURRENT_TIMESTAMP(6),"
                            + " CURRENT_TIMESTAMP(6) WHERE NOT EXISTS (SELECT 1 FROM " + table
                            + " WHERE lock_name = ?)";
                    acquire = "SELECT token FROM FINAL TABLE (UPDATE " + table + " SET owner_id = ?, token = token + 1,"
                            + " acquired_at = CURRENT_TIMESTAMP(6), expires_at = DATEADD(SECOND, 30,"
                            + " CURRENT_TIMESTAMP(6)) WHERE lock_name = ? AND (owner_id IS NULL OR expires_at <="
                            + " CURRENT_TIMESTAMP(6)))";
                    release = "UPDATE " + table + " SET owner_id = NULL, expires_at = CURRENT_TIMESTAMP(6)"
                            + " WHERE lock_name = ? AND owner_id = ? AND token = ?";
                }
                default -> throw new IllegalArgumentException("kind: " + kind);
            }
        }

        @Override
        public Held tryAcquire(String name) throws SQLException {
            if (!upsert && known.add(name)) {
                // The floor updates a row that exists: it is made once per name, before the first measured try.
                try (Connection c = ds.getConnection();
                        PreparedStatement s = c.prepareStatement(insert)) {
                    s.setString(1, name);
                    if (kind == DbKind.H2) {
                        s.setString(2, name);
                    }
                    s.executeUpdate();
                }
            }
            long token;
            try (Connection c = ds.getConnection()) {
                if (kind == DbKind.MARIADB) {
                    try (PreparedStatement s = c.prepareStatement(acquire, Statement.RETURN_GENERATED_KEYS)) {
                        s.setString(1, owner);
                        s.setString(2, name);
                        if (s.executeUpdate() == 0) {
                            return null;
                        }
                        try (ResultSet keys = s.getGeneratedKeys()) {
                            if (!keys.next()) {
                                throw new SQLException("no token came back from LAST_INSERT_ID(token + 1)");
                            }
                            token = keys.getLong(1);
                        }
                    }
                } else {
                    try (PreparedStatement s = c.prepareStatement(acquire)) {
                        if (upsert) {
                            s.setString(1, name);
                            s.setString(2, owner);
                        } else {
                            s.setString(1, owner);
                            s.setString(2, name);
                        }
                        try (ResultSet rs = s.executeQuery()) {
                            if (!rs.next()) {
                                return null;
                            }
                            token = rs.getLong(1);
                        }
                    }
                }
            }
            return () -> {
                try (Connection c = ds.getConnection();
                        PreparedStatement s = c.prepareStatement(release)) {
                    s.setString(1, name);
                    s.setString(2, owner);
                    s.setLong(3, token);
                    if (s.executeUpdate() != 1) {
                        throw new IllegalStateException("release of " + name + " matched no row");
                    }
                }
            };
        }

        @Override
        public void close() {}
    }

    /**
     * Raw advisory locks on one borrowed connection: PostgreSQL {@code pg_try_advisory_lock} / {@code
     * pg_advisory_unlock}, MariaDB {@code GET_LOCK(name, 0)} / {@code RELEASE_LOCK}; waiting is the blocking form
     * ({@code pg_advisory_lock} under {@code lock_timeout}, {@code GET_LOCK(name, seconds)}). No fencing token.
     */
    static Variant advisory(DbKind kind) {
        String label = kind == DbKind.POSTGRESQL
                ? "raw pg_try_advisory_lock + pg_advisory_unlock (blocking pg_advisory_lock to wait)"
                : "raw GET_LOCK(name, 0) + RELEASE_LOCK (GET_LOCK(name, timeout) to wait)";
        return new Variant("raw-advisory", label, Variant.Role.RAW, true, true, new Variant.Factory() {
            private String namespace;

            @Override
            public void setUp(Database database) {
                namespace = database.prefix();
            }

            @Override
            public LockClient open(Proc proc) {
                return new AdvisoryClient(proc.dataSource(), kind, namespace);
            }
        });
    }

    private static final class AdvisoryClient implements LockClient {
        private final DataSource ds;
        private final DbKind kind;
        private final String namespace;

        AdvisoryClient(DataSource ds, DbKind kind, String namespace) {
            this.ds = ds;
            this.kind = kind;
            this.namespace = namespace;
        }

        @Override
        public Held tryAcquire(String name) throws SQLException {
            return lock(name, null);
        }

        @Override
        public Held acquire(String name, Duration maxWait) throws SQLException {
            return lock(name, maxWait);
        }

        private Held lock(String name, Duration wait) throws SQLException {
            Connection c = ds.getConnection();
            boolean granted = false;
            try {
                String sql;
                if (kind == DbKind.POSTGRESQL) {
                    sql = wait == null
                            ? "SELECT pg_try_advisory_lock(?)"
                            // CASE evaluates its condition first, so the wait is bounded; the release puts it back.
                            : "SELECT CASE WHEN set_config('lock_timeout', '" + wait.toMillis() + "ms', false)"
                                    + " IS NOT NULL THEN pg_advisory_lock(?) END";
                } else {
                    sql = "SELECT GET_LOCK(?, " + (wait == null ? 0 : Math.max(1, wait.toSeconds())) + ") = 1";
                }
                try (PreparedStatement s = c.prepareStatement(sql)) {
                    bindKey(s, name);
                    try (ResultSet rs = s.executeQuery()) {
                        // pg_advisory_lock returns void: reaching a row means granted; the others say so.
                        boolean blockingPg = kind == DbKind.POSTGRESQL && wait != null;
                        granted = rs.next() && (blockingPg || rs.getBoolean(1));
                    }
                } catch (SQLException e) {
                    if (wait != null && "55P03".equals(e.getSQLState())) {
                        resetTimeout(c);
                        return null;
                    }
                    throw e;
                }
                if (!granted) {
                    return null;
                }
                return () -> {
                    try (c) {
                        String unlock = kind == DbKind.POSTGRESQL
                                ? (wait == null
                                        ? "SELECT pg_advisory_unlock(?)"
                                        : "SELECT CASE WHEN pg_advisory_unlock(?) THEN set_config('lock_timeout',"
                                                + " '0', false) IS NOT NULL ELSE false END")
                                : "SELECT RELEASE_LOCK(?) = 1";
                        try (PreparedStatement s = c.prepareStatement(unlock)) {
                            bindKey(s, name);
                            try (ResultSet rs = s.executeQuery()) {
                                if (!rs.next() || !rs.getBoolean(1)) {
                                    throw new IllegalStateException("unlock of " + name + " found no lock");
                                }
                            }
                        }
                    }
                };
            } finally {
                if (!granted) {
                    c.close();
                }
            }
        }

        private void resetTimeout(Connection c) throws SQLException {
            try (Statement s = c.createStatement()) {
                s.execute("SELECT set_config('lock_timeout', '0', false)");
            }
        }

        private void bindKey(PreparedStatement s, String name) throws SQLException {
            if (kind == DbKind.POSTGRESQL) {
                s.setLong(1, key(namespace + name));
            } else {
                // MariaDB lock names are server-wide: the run's prefix keeps them apart from everyone else's.
                s.setString(1, namespace + name);
            }
        }

        @Override
        public void close() {}
    }

    /** The first 8 bytes of SHA-256: an advisory key no other run uses. */
    static long key(String text) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            long key = 0;
            for (int i = 0; i < 8; i++) {
                key = (key << 8) | (hash[i] & 0xff);
            }
            return key;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
