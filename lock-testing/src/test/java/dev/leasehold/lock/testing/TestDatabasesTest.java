package dev.leasehold.lock.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The JVM's databases, found the real way: on this project's machines the local PostgreSQL and MariaDB and an H2 in
 * memory. A kind that is not found aborts its tests (fails them under {@code LEASEHOLD_TEST_REQUIRE_DB=true}).
 */
class TestDatabasesTest {

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void eachKindResolvesOnceAndAnswersThroughTheSharedPool(DatabaseKind kind) throws Exception {
        TestDatabase db = TestDatabases.get(kind);

        assertThat(db.kind()).isEqualTo(kind);
        assertThat(TestDatabases.get(kind)).isSameAs(db);
        assertThat(db.dataSource()).isSameAs(db.dataSource());
        try (Connection connection = db.dataSource().getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT 1")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getInt(1)).isEqualTo(1);
        }
        assertThat(db.describe())
                .matches(kind.displayName() + " \\d+(\\.\\d+)* via .+ \\(jdbc:.+\\)")
                .contains(db.source(), db.jdbcUrl());
    }

    @Test
    void eachKindIsFoundWhereTheDesignSays() {
        assertThat(TestDatabases.get(DatabaseKind.H2).source()).isEqualTo("in-memory");
        assertThat(TestDatabases.get(DatabaseKind.H2).jdbcUrl())
                .matches("jdbc:h2:mem:leasehold_[0-9a-f]{8};DB_CLOSE_DELAY=-1");
        assertThat(TestDatabases.get(DatabaseKind.POSTGRESQL).source())
                .isIn("env LEASEHOLD_TEST_PG_URL", "testcontainers", "local 127.0.0.1:5432", "embedded (zonky)");
        assertThat(TestDatabases.get(DatabaseKind.MARIADB).source())
                .isIn("env LEASEHOLD_TEST_MARIADB_URL", "testcontainers", "local 127.0.0.1:3306");
    }

    @Test
    void theMariaDbUrlAsksForAffectedRows() throws Exception {
        TestDatabase db = TestDatabases.get(DatabaseKind.MARIADB);

        assertThat(db.jdbcUrl()).contains("useAffectedRows=true");
        // Proof that the driver honours it: an UPDATE that changes nothing counts no row.
        String prefix = db.uniquePrefix("affected");
        try (Connection connection = db.dataSource().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE " + prefix + "t (id INT PRIMARY KEY, v INT)");
            statement.execute("INSERT INTO " + prefix + "t VALUES (1, 5)");
            assertThat(statement.executeUpdate("UPDATE " + prefix + "t SET v = 5 WHERE id = 1"))
                    .isZero();
        } finally {
            db.dropTablesWithPrefix(prefix);
        }
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void dropTablesWithPrefixDropsExactlyThoseTables(DatabaseKind kind) throws Exception {
        TestDatabase db = TestDatabases.get(kind);
        String prefix = db.uniquePrefix("drop " + kind);
        // Differs from the prefix only where a LIKE pattern would see '_' as a wildcard.
        String lookalike = prefix.substring(0, prefix.length() - 1) + "x_keep";
        DataSource dataSource = db.dataSource();
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE " + prefix + "parent (id INT PRIMARY KEY)");
            statement.execute("CREATE TABLE " + prefix + "child (id INT PRIMARY KEY, parent_id INT,"
                    + " FOREIGN KEY (parent_id) REFERENCES " + prefix + "parent (id))");
            statement.execute("CREATE TABLE " + lookalike + " (id INT PRIMARY KEY)");
        }
        String stem = prefix.substring(0, prefix.length() - 1);
        try {
            assertThat(Catalog.tablesStartingWith(dataSource, kind, stem))
                    .containsExactlyInAnyOrder(prefix + "parent", prefix + "child", lookalike);

            db.dropTablesWithPrefix(prefix);

            assertThat(Catalog.tablesStartingWith(dataSource, kind, stem)).containsExactly(lookalike);
            db.dropTablesWithPrefix(prefix); // nothing left to drop: no error
        } finally {
            try (Connection connection = dataSource.getConnection();
                    Statement statement = connection.createStatement()) {
                statement.execute("DROP TABLE IF EXISTS " + lookalike);
            }
        }
        assertThat(Catalog.tablesStartingWith(dataSource, kind, stem)).isEmpty();
    }

    @Test
    void dropTablesWithPrefixRejectsAnythingButLowerCaseLettersDigitsAndUnderscores() {
        TestDatabase db = TestDatabases.get(DatabaseKind.H2);
        for (String bad : new String[] {"", "T_", "a-b", "t_\"x", "t_;drop", "t_%", " t_"}) {
            assertThatThrownBy(() -> db.dropTablesWithPrefix(bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("[a-z0-9_]+");
        }
        assertThatThrownBy(() -> db.dropTablesWithPrefix(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void uniquePrefixesAreValidDistinctAndLeaveRoomForTheLockTable() {
        TestDatabase db = TestDatabases.get(DatabaseKind.H2);
        Set<String> seen = new HashSet<>();
        String[] hints = {
            "FencingRules",
            "",
            null,
            "__a  b--c__",
            "Ünïcödé 名前 test",
            "a".repeat(200),
            "dev.leasehold.lock.jdbc.JdbcLeaseStoreWithAVeryLongNameTest$Nested",
            "0starts with digit"
        };
        for (int round = 0; round < 200; round++) {
            for (String hint : hints) {
                String prefix = db.uniquePrefix(hint);
                assertThat(prefix).matches("t_([a-z0-9]+(_[a-z0-9]+)*_)?[0-9a-f]{8}_");
                assertThat((prefix + "distributed_locks").getBytes(StandardCharsets.UTF_8).length)
                        .isLessThanOrEqualTo(63);
                assertThat(seen.add(prefix)).as(prefix).isTrue();
            }
        }
        assertThat(db.uniquePrefix("FencingRules")).matches("t_fencingrules_[0-9a-f]{8}_");
        assertThat(db.uniquePrefix("__a  b--c__")).matches("t_a_b_c_[0-9a-f]{8}_");
        assertThat(db.uniquePrefix(null)).matches("t_[0-9a-f]{8}_");
        assertThat(db.uniquePrefix("a".repeat(200))).hasSize(46).startsWith("t_" + "a".repeat(34) + "_");
    }

    @Test
    void newPoolIsAPoolOfItsOwnThatTheCallerCloses() throws Exception {
        TestDatabase db = TestDatabases.get(DatabaseKind.H2);
        TestPool pool = db.newPool("own", 2);
        assertThat(pool).isNotSameAs(db.dataSource());
        try (pool;
                Connection connection = pool.getConnection()) {
            assertThat(connection.isValid(1)).isTrue();
        }
        assertThatThrownBy(pool::getConnection).isInstanceOf(java.sql.SQLException.class);
    }
}
