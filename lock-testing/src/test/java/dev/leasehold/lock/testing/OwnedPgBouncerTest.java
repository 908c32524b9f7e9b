package dev.leasehold.lock.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A private PgBouncer: it answers on its port in the mode asked for, in front of the PostgreSQL test database, and
 * closing it ends its process, frees its port and deletes its directory.
 */
class OwnedPgBouncerTest {

    @Test
    void answersInFrontOfThePostgresTestDatabaseAndLeavesNothingBehind() throws Exception {
        TestDatabase upstream = TestDatabases.get(DatabaseKind.POSTGRESQL);
        OwnedPgBouncer bouncer = OwnedPgBouncer.start(upstream, OwnedPgBouncer.PoolMode.TRANSACTION);
        Path directory = bouncer.directory();
        long pid;
        try {
            assertThat(bouncer.jdbcUrl())
                    .startsWith("jdbc:postgresql://127.0.0.1:" + bouncer.port() + "/")
                    .endsWith("?prepareThreshold=0");
            assertThat(Files.readString(directory.resolve("pgbouncer.ini"))).contains("pool_mode = transaction");
            pid = Long.parseLong(
                    Files.readString(directory.resolve("pgbouncer.pid")).strip());
            try (Connection c = bouncer.database().dataSource().getConnection();
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT current_database(), pg_backend_pid()")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo(currentDatabase(upstream));
                assertThat(bouncer.serverPids())
                        .as("PgBouncer's server connections")
                        .contains(rs.getInt(2));
            }
        } finally {
            bouncer.close();
        }
        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive))
                .as("the pgbouncer process after close")
                .isEqualTo(Optional.empty());
        assertThat(directory).doesNotExist();
        assertThatThrownBy(() -> DatabaseResolver.connect(
                                DatabaseKind.POSTGRESQL, bouncer.jdbcUrl(), upstream.user(), upstream.password())
                        .close())
                .as("a connection to the closed PgBouncer's port")
                .isInstanceOf(SQLException.class);
        bouncer.close(); // idempotent
    }

    @Test
    void endingAPoolsSessionsEndsThePgBouncersServerConnections() throws Exception {
        TestDatabase upstream = TestDatabases.get(DatabaseKind.POSTGRESQL);
        try (OwnedPgBouncer bouncer = OwnedPgBouncer.start(upstream, OwnedPgBouncer.PoolMode.TRANSACTION);
                TestPool pool = bouncer.database().newPool("behind-bouncer", 2)) {
            int server;
            try (Connection c = pool.getConnection();
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                server = rs.getInt(1);
            }
            assertThat(pool.openSessions()).contains((long) server);

            assertThat(pool.endSessions()).isGreaterThanOrEqualTo(1);

            assertThat(bouncer.serverPids()).doesNotContain(server);
            try (Connection c = upstream.connect();
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE pid = " + server)) {
                rs.next();
                assertThat(rs.getInt(1)).as("the server connection's backend").isZero();
            }
        }
    }

    private static String currentDatabase(TestDatabase db) throws SQLException {
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT current_database()")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
