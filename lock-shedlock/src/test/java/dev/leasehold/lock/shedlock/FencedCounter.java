package dev.leasehold.lock.shedlock;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The resource a scheduled job writes in a transaction of its own, as an application's job does: a counter row it reads
 * and writes back one higher (no {@code SELECT ... FOR UPDATE}, so two jobs running at once lose an update), fenced by
 * the lease's token ({@code WHERE last_token < ?}), and a history row per committed run. The tables carry the test's
 * prefix and are dropped with its other tables.
 */
final class FencedCounter {

    /** One committed run, as the database kept it. */
    record Run(long runNo, long token) {}

    private final DataSource dataSource;
    private final String counter;
    private final String history;

    private FencedCounter(DataSource dataSource, String prefix) {
        this.dataSource = dataSource;
        // The prefix comes from TestDatabase.uniquePrefix: [a-z0-9_] only.
        this.counter = prefix + "job_counter";
        this.history = prefix + "job_history";
    }

    /** Creates the two tables, the counter at zero runs and token zero. */
    static FencedCounter create(DataSource dataSource, String prefix) throws SQLException {
        FencedCounter fenced = new FencedCounter(dataSource, prefix);
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE " + fenced.counter
                    + " (id INT PRIMARY KEY, runs BIGINT NOT NULL, last_token BIGINT NOT NULL)");
            statement.execute("CREATE TABLE " + fenced.history + " (run_no BIGINT NOT NULL, token BIGINT NOT NULL)");
            statement.execute("INSERT INTO " + fenced.counter + " (id, runs, last_token) VALUES (1, 0, 0)");
        }
        return fenced;
    }

    /**
     * One run of the job in a transaction of its own: reads the counter, writes it back one higher with {@code token}
     * unless a token as high was written already, records the run and commits.
     *
     * @return whether the write was accepted; a rejected one is rolled back
     */
    boolean run(long token) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                long runs;
                try (PreparedStatement read =
                                connection.prepareStatement("SELECT runs FROM " + counter + " WHERE id = 1");
                        ResultSet rs = read.executeQuery()) {
                    rs.next();
                    runs = rs.getLong(1);
                }
                int updated;
                try (PreparedStatement write = connection.prepareStatement(
                        "UPDATE " + counter + " SET runs = ?, last_token = ? WHERE id = 1 AND last_token < ?")) {
                    write.setLong(1, runs + 1);
                    write.setLong(2, token);
                    write.setLong(3, token);
                    updated = write.executeUpdate();
                }
                if (updated != 1) {
                    connection.rollback();
                    return false;
                }
                try (PreparedStatement log =
                        connection.prepareStatement("INSERT INTO " + history + " (run_no, token) VALUES (?, ?)")) {
                    log.setLong(1, runs + 1);
                    log.setLong(2, token);
                    log.executeUpdate();
                }
                connection.commit();
                return true;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    /** The counter's value. */
    long runs() throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement read = connection.prepareStatement("SELECT runs FROM " + counter + " WHERE id = 1");
                ResultSet rs = read.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The committed runs in the order they committed: each read the counter its predecessor wrote. */
    List<Run> history() throws SQLException {
        List<Run> runs = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement read = connection.prepareStatement(
                        "SELECT run_no, token FROM " + history + " ORDER BY run_no, token");
                ResultSet rs = read.executeQuery()) {
            while (rs.next()) {
                runs.add(new Run(rs.getLong(1), rs.getLong(2)));
            }
        }
        return runs;
    }
}
