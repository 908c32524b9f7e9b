import dev.leasehold.lock.table.Dialect;
import dev.leasehold.lock.table.internal.LeaseStatements;
import dev.leasehold.lock.table.internal.PostgresStatements;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What each part of the jdbc store's two statements costs, as the client sees it: on one connection, every acquire
 * form is paired with every release form, in turn, cycle after cycle, and each statement is timed on its own. The
 * forms go from the floor's statement to the store's, adding one part at a time; the store's own two come from
 * lock-table, so this measures the code as it is. Arguments: cycles per pair (default 1000), JDBC URL.
 */
public class Statements {

    record Form(String id, String sql, String... params) {}

    public static void main(String[] args) throws Exception {
        int cycles = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        String url = args.length > 1 ? args[1] : "jdbc:postgresql://127.0.0.1:5432/test";
        String t = "split_statements";
        PostgresStatements store = (PostgresStatements)
                LeaseStatements.of(Dialect.POSTGRESQL, t, Duration.ofMillis(100), "PostgreSQL");
        String set = " SET owner_id = ?, token = t.token + 1, acquired_at = clock_timestamp(), expires_at ="
                + " clock_timestamp() + CAST(? AS bigint) * INTERVAL '1 microsecond'";
        String free = " t.lock_name = ? AND (t.owner_id IS NULL OR t.expires_at <= clock_timestamp())";
        String bound = " AND set_config('lock_timeout', ?, true) IS NOT NULL";
        List<Form> acquires = List.of(
                new Form("acquire: the floor's (RETURNING token)",
                        "UPDATE " + t + " AS t SET owner_id = ?, token = t.token + 1, acquired_at = clock_timestamp(),"
                                + " expires_at = clock_timestamp() + interval '30 seconds' WHERE" + free
                                + " RETURNING t.token", "owner", "name"),
                new Form("acquire: + the lease's times returned",
                        "UPDATE " + t + " AS t SET owner_id = ?, token = t.token + 1, acquired_at = clock_timestamp(),"
                                + " expires_at = clock_timestamp() + interval '30 seconds' WHERE" + free
                                + " RETURNING t.token, t.acquired_at, t.expires_at", "owner", "name"),
                new Form("acquire: + lease time as a parameter",
                        "UPDATE " + t + " AS t" + set + " WHERE" + free
                                + " RETURNING t.token, t.acquired_at, t.expires_at", "owner", "micros", "name"),
                new Form("acquire: + row-lock wait bounded",
                        "UPDATE " + t + " AS t" + set + " WHERE" + free + bound
                                + " RETURNING t.token, t.acquired_at, t.expires_at", "owner", "micros", "name", "wait"),
                new Form("acquire: the store's (+ whether the row exists)", store.acquireKnown(),
                        "owner", "micros", "name", "wait", "name"));
        List<Form> releases = List.of(
                new Form("release: the floor's",
                        "WITH w AS MATERIALIZED (SELECT set_config('synchronous_commit', 'off', true) AS a) UPDATE " + t
                                + " SET owner_id = NULL, expires_at = clock_timestamp() FROM w"
                                + " WHERE lock_name = ? AND owner_id = ? AND token = ?", "name", "owner", "token"),
                new Form("release: + not expired, row-lock wait bounded",
                        "UPDATE " + t + " AS t SET owner_id = NULL, expires_at = clock_timestamp() WHERE t.lock_name = ?"
                                + " AND t.owner_id = ? AND t.token = ? AND t.expires_at > clock_timestamp()" + bound
                                + " AND set_config('synchronous_commit', 'off', true) IS NOT NULL",
                        "name", "owner", "token", "wait"),
                new Form("release: + pg_notify behind CASE in RETURNING (the store's until 2026-11-30)",
                        "UPDATE " + t + " AS t SET owner_id = NULL, expires_at = clock_timestamp() WHERE t.lock_name = ?"
                                + " AND t.owner_id = ? AND t.token = ? AND t.expires_at > clock_timestamp()" + bound
                                + " AND set_config('synchronous_commit', 'off', true) IS NOT NULL RETURNING CASE WHEN"
                                + " t.wake_until > clock_timestamp() THEN pg_notify(?, t.lock_name) END",
                        "name", "owner", "token", "wait", "channel"),
                new Form("release: the store's (returns whether anyone waits)", store.releaseReturningAwaited(true),
                        "name", "owner", "token", "wait"));
        try (Connection c = DriverManager.getConnection(url, "postgres", "")) {
            try (Statement s = c.createStatement()) {
                s.execute("DROP TABLE IF EXISTS " + t);
                s.execute(Dialect.POSTGRESQL.executableDdl(t));
                s.execute("INSERT INTO " + t + " VALUES ('n', NULL, 0, clock_timestamp(), clock_timestamp(), NULL)");
            }
            try {
                Map<Form, PreparedStatement> prepared = new LinkedHashMap<>();
                for (Form f : acquires) {
                    prepared.put(f, c.prepareStatement(f.sql()));
                }
                for (Form f : releases) {
                    prepared.put(f, c.prepareStatement(f.sql()));
                }
                Map<Form, List<Long>> nanos = new LinkedHashMap<>();
                prepared.keySet().forEach(f -> nanos.put(f, new ArrayList<>()));
                int warmup = 200;
                for (int i = 0; i < warmup + cycles; i++) {
                    for (Form a : acquires) {
                        for (Form r : releases) {
                            long t0 = System.nanoTime();
                            long token = run(prepared.get(a), a, store, -1);
                            long t1 = System.nanoTime();
                            run(prepared.get(r), r, store, token);
                            long t2 = System.nanoTime();
                            if (i >= warmup) {
                                nanos.get(a).add(t1 - t0);
                                nanos.get(r).add(t2 - t1);
                            }
                        }
                    }
                }
                System.out.println("| statement | mean µs | median µs | p10 µs | p90 µs |");
                System.out.println("| --- | ---: | ---: | ---: | ---: |");
                for (Map.Entry<Form, List<Long>> e : nanos.entrySet()) {
                    long[] v = e.getValue().stream().mapToLong(Long::longValue).sorted().toArray();
                    System.out.printf("| %s | %.1f | %.1f | %.1f | %.1f |%n", e.getKey().id(),
                            Arrays.stream(v).average().orElse(0) / 1e3, v[v.length / 2] / 1e3,
                            v[v.length / 10] / 1e3, v[v.length * 9 / 10] / 1e3);
                }
            } finally {
                try (Statement s = c.createStatement()) {
                    s.execute("DROP TABLE IF EXISTS " + t);
                }
            }
        }
    }

    /** Runs one form: an acquire (token < 0) returns the granted token, a release checks that it released. */
    private static long run(PreparedStatement p, Form f, PostgresStatements store, long token) throws SQLException {
        for (int i = 0; i < f.params().length; i++) {
            switch (f.params()[i]) {
                case "owner" -> p.setString(i + 1, "me");
                case "name" -> p.setString(i + 1, "n");
                case "micros" -> p.setLong(i + 1, 30_000_000L);
                case "wait" -> p.setString(i + 1, store.lockWait());
                case "token" -> p.setLong(i + 1, token);
                case "channel" -> p.setString(i + 1, store.channel());
                default -> throw new IllegalArgumentException(f.params()[i]);
            }
        }
        boolean rows = p.execute();
        if (token < 0) {
            try (ResultSet rs = p.getResultSet()) {
                if (!rs.next() || rs.getObject(1) == null) {
                    throw new IllegalStateException("not granted: " + f.id());
                }
                int columns = rs.getMetaData().getColumnCount();
                if (columns >= 3) { // read as the store reads them
                    Dialect.POSTGRESQL.instant(rs, 2);
                    Dialect.POSTGRESQL.instant(rs, 3);
                }
                if (columns >= 4) {
                    rs.getBoolean(4);
                }
                return rs.getLong(1);
            }
        }
        int released;
        if (rows) {
            try (ResultSet rs = p.getResultSet()) {
                released = rs.next() ? 1 : 0;
            }
        } else {
            released = p.getUpdateCount();
        }
        if (released != 1) {
            throw new IllegalStateException("not released: " + f.id());
        }
        return 0;
    }
}
