package dev.leasehold.lock.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Named pools over every kind of database: their sessions are found on the server, and ending them really ends them
 * (the server no longer lists them and the pool's connections are broken) without touching another pool's sessions.
 */
class TestPoolTest {

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void endSessionsEndsExactlyThePoolsOpenSessions(DatabaseKind kind) throws Exception {
        TestDatabase db = TestDatabases.get(kind);
        try (TestPool pool = db.newPool("ended", 3);
                TestPool bystander = db.newPool("bystander", 1)) {
            assertThat(pool.name()).matches("ended-\\d+-\\d+");
            assertThat(pool.getPoolName()).isEqualTo(pool.name());
            Connection a = pool.getConnection();
            Connection b = pool.getConnection();
            try (Connection other = bystander.getConnection()) {
                long idA = sessionId(kind, a);
                long idB = sessionId(kind, b);
                long idOther = sessionId(kind, other);
                assertThat(pool.openSessions()).containsExactlyInAnyOrder(idA, idB);
                assertThat(bystander.openSessions()).containsExactly(idOther);

                assertThat(pool.endSessions()).isEqualTo(2);

                assertThat(pool.openSessions()).isEmpty();
                assertThat(works(a)).as("a connection whose session was ended").isFalse();
                assertThat(works(b)).as("a connection whose session was ended").isFalse();
                assertThat(works(other)).as("another pool's connection").isTrue();
                assertThat(bystander.openSessions()).containsExactly(idOther);
            } finally {
                // Returning a connection whose session is gone may fail, as it would after a real kill.
                closeQuietly(a);
                closeQuietly(b);
            }
            assertThatThrownBy(pool::endSessions)
                    .as("a pool with no open session")
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("no session open");
        }
    }

    /** H2's ended sessions are not recognised by HikariCP, so the pool retires its connections: the next one is new. */
    @Test
    void onH2ThePoolConnectsAnewAfterItsSessionsWereEnded() throws Exception {
        TestDatabase db = TestDatabases.get(DatabaseKind.H2);
        try (TestPool pool = db.newPool("h2-retired", 2)) {
            long before;
            try (Connection c = pool.getConnection()) {
                before = sessionId(DatabaseKind.H2, c);
            }
            assertThat(pool.endSessions()).isEqualTo(1);
            try (Connection c = pool.getConnection()) {
                assertThat(works(c))
                        .as("the next connection the pool hands out")
                        .isTrue();
                assertThat(sessionId(DatabaseKind.H2, c)).isNotEqualTo(before);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void namesAreUniqueAndBadArgumentsAreRefusedBeforeAnyConnection(DatabaseKind kind) {
        TestDatabase db = TestDatabases.get(kind);
        try (TestPool one = db.newPool("same", 1);
                TestPool two = db.newPool("same", 1)) {
            assertThat(one.name())
                    .isNotEqualTo(two.name())
                    .startsWith("same-" + ProcessHandle.current().pid() + "-");
            assertThat(one.database()).isSameAs(db);
        }
        for (String bad : new String[] {null, "", "has space", "quote'", "x".repeat(TestPool.MAX_NAME_LENGTH + 1)}) {
            assertThatThrownBy(() -> db.newPool(bad, 1))
                    .as("name %s", bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("name");
        }
        assertThatThrownBy(() -> db.newPool("zero", 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("size");
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            // Its session was ended.
        }
    }

    /** Whether a statement still runs on {@code c}. */
    private static boolean works(Connection c) {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT 1")) {
            return rs.next();
        } catch (SQLException e) {
            return false;
        }
    }

    /** The server's id of the session behind {@code c}, asked independently of the code under test. */
    static long sessionId(DatabaseKind kind, Connection c) throws SQLException {
        String query = switch (kind) {
            case POSTGRESQL -> "SELECT pg_backend_pid()";
            case MARIADB -> "SELECT CONNECTION_ID()";
            case H2 -> "SELECT SESSION_ID()";
        };
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
