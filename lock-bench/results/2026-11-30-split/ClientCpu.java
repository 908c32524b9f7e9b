import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.leasehold.lock.DistributedLock;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.Locks;
import dev.leasehold.lock.jdbc.internal.JdbcLeaseStore;
import dev.leasehold.lock.spi.LeaseGrant;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;

/**
 * Acquire + release of one lock on one thread, three ways, in alternating blocks on one HikariCP pool: the floor's two
 * statements in raw JDBC, the jdbc store alone, and a jdbc manager (store and engine). Per cycle: wall time (median
 * over blocks) and the CPU time of the calling thread (mean), which is what the client spends, driver included.
 * Arguments: cycles per block (default 300), blocks (default 60), JDBC URL.
 */
public class ClientCpu {

    private static final Duration LEASE = Duration.ofSeconds(30);

    public static void main(String[] args) throws Exception {
        int cycles = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        int blocks = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(args.length > 2 ? args[2] : "jdbc:postgresql://127.0.0.1:5432/test");
        config.setUsername("postgres");
        config.setMaximumPoolSize(10);
        config.setMinimumIdle(0);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        String[] ways = {"floor, raw JDBC", "jdbc store alone", "jdbc manager"};
        List<List<Double>> wall = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        long[] cpu = new long[3];
        try (HikariDataSource ds = new HikariDataSource(config);
                LockManager manager = Locks.builder()
                        .backend("jdbc")
                        .dataSource(ds)
                        .tablePrefix("split_m_")
                        .leaseTime(LEASE)
                        .build()) {
            JdbcLeaseStore store = JdbcLeaseStore.open(
                    Jdbi.create(ds), LockSettings.builder().tablePrefix("split_s_").leaseTime(LEASE).build());
            try (Connection c = ds.getConnection();
                    Statement s = c.createStatement()) {
                s.execute("INSERT INTO split_s_distributed_locks VALUES ('floor', NULL, 0, clock_timestamp(),"
                        + " clock_timestamp()) ON CONFLICT DO NOTHING");
            }
            DistributedLock lock = manager.lock("n");
            try {
                for (int b = 0; b < blocks + 3; b++) {
                    for (int way = 0; way < 3; way++) {
                        long c0 = threads.getCurrentThreadCpuTime();
                        long t0 = System.nanoTime();
                        for (int i = 0; i < cycles; i++) {
                            switch (way) {
                                case 0 -> floor(ds);
                                case 1 -> {
                                    LeaseGrant g = store.tryAcquire("n", "me", LEASE).orElseThrow();
                                    store.release("n", "me", g.token());
                                }
                                default -> lock.tryAcquire().orElseThrow().release();
                            }
                        }
                        long t1 = System.nanoTime();
                        long c1 = threads.getCurrentThreadCpuTime();
                        if (b >= 3) { // the first blocks warm up
                            wall.get(way).add((t1 - t0) / 1e3 / cycles);
                            cpu[way] += c1 - c0;
                        }
                    }
                }
            } finally {
                store.close();
                try (Connection c = ds.getConnection();
                        Statement s = c.createStatement()) {
                    s.execute("DROP TABLE split_s_distributed_locks");
                    s.execute("DROP TABLE split_m_distributed_locks");
                }
            }
        }
        System.out.println("| way | wall µs per cycle (median of blocks) | caller CPU µs per cycle (mean) |");
        System.out.println("| --- | ---: | ---: |");
        for (int way = 0; way < 3; way++) {
            List<Double> w = wall.get(way);
            Collections.sort(w);
            System.out.printf("| %s | %.1f | %.1f |%n", ways[way], w.get(w.size() / 2),
                    cpu[way] / 1e3 / cycles / blocks);
        }
    }

    private static final String ACQUIRE = "UPDATE split_s_distributed_locks SET owner_id = ?, token = token + 1,"
            + " acquired_at = clock_timestamp(), expires_at = clock_timestamp() + interval '30 seconds'"
            + " WHERE lock_name = ? AND (owner_id IS NULL OR expires_at <= clock_timestamp()) RETURNING token";
    private static final String RELEASE = "WITH w AS MATERIALIZED (SELECT set_config('synchronous_commit', 'off',"
            + " true) AS a) UPDATE split_s_distributed_locks SET owner_id = NULL, expires_at = clock_timestamp()"
            + " FROM w WHERE lock_name = ? AND owner_id = ? AND token = ?";

    /** The floor's cycle, as RawClients runs it. */
    private static void floor(DataSource ds) throws Exception {
        long token;
        try (Connection c = ds.getConnection();
                PreparedStatement p = c.prepareStatement(ACQUIRE)) {
            p.setString(1, "me");
            p.setString(2, "floor");
            try (ResultSet rs = p.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("floor not granted");
                }
                token = rs.getLong(1);
            }
        }
        try (Connection c = ds.getConnection();
                PreparedStatement p = c.prepareStatement(RELEASE)) {
            p.setString(1, "floor");
            p.setString(2, "me");
            p.setLong(3, token);
            if (p.executeUpdate() != 1) {
                throw new IllegalStateException("floor not released");
            }
        }
    }
}
