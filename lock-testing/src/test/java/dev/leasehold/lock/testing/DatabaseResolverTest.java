package dev.leasehold.lock.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * The search order with a made-up environment and ports ({@link DatabaseResolver.Settings}), so that "not found",
 * "required" and the environment variables are tried without touching the machine's environment or servers.
 */
class DatabaseResolverTest {

    private static final String NO_DOCKER = DatabaseResolver.DOCKER_VARIABLE;

    @Test
    void anEnvironmentUrlComesFirstAndIsUsedAsGiven() throws Exception {
        TestDatabase real = TestDatabases.get(DatabaseKind.POSTGRESQL);
        Map<String, String> env = new HashMap<>();
        env.put("LEASEHOLD_TEST_PG_URL", real.jdbcUrl());
        if (real.user() != null) {
            env.put("LEASEHOLD_TEST_PG_USER", real.user());
        }
        if (real.password() != null) {
            env.put("LEASEHOLD_TEST_PG_PASSWORD", real.password());
        }
        try (DatabaseResolver resolver = new DatabaseResolver(DatabaseResolver.Settings.of(env)
                .withPorts(freePort(), freePort())
                .withEmbedded(false))) {
            TestDatabase db = resolver.get(DatabaseKind.POSTGRESQL);

            assertThat(db.source()).isEqualTo("env LEASEHOLD_TEST_PG_URL");
            assertThat(db.jdbcUrl()).isEqualTo(real.jdbcUrl());
            assertThat(db.user()).isEqualTo(real.user());
            assertThat(resolver.resolution(DatabaseKind.POSTGRESQL).tried()).isEmpty();
            assertThat(selectOne(db)).isEqualTo(1);
        }
    }

    @Test
    void aMariaDbEnvironmentUrlGetsUseAffectedRows() {
        int nothing = freePort();
        try (DatabaseResolver resolver = new DatabaseResolver(DatabaseResolver.Settings.of(Map.of(
                "LEASEHOLD_TEST_MARIADB_URL",
                "jdbc:mariadb://127.0.0.1:" + nothing + "/test?connectTimeout=500",
                "LEASEHOLD_TEST_MARIADB_USER",
                "someone")))) {
            TestDatabase db = resolver.get(DatabaseKind.MARIADB);

            assertThat(db.source()).isEqualTo("env LEASEHOLD_TEST_MARIADB_URL");
            assertThat(db.jdbcUrl())
                    .isEqualTo("jdbc:mariadb://127.0.0.1:" + nothing + "/test?connectTimeout=500&useAffectedRows=true");
            assertThat(db.user()).isEqualTo("someone");
            assertThat(db.password()).isNull();
            // Not probed: an unreachable URL from the environment is still the one used, and says so.
            assertThat(db.describe()).startsWith("MariaDB (version unknown: ");
        }
    }

    @Test
    void useAffectedRowsIsAddedOrForcedOn() {
        assertThat(DatabaseResolver.withAffectedRows("jdbc:mariadb://h:3306/db"))
                .isEqualTo("jdbc:mariadb://h:3306/db?useAffectedRows=true");
        assertThat(DatabaseResolver.withAffectedRows("jdbc:mariadb://h/db?a=1"))
                .isEqualTo("jdbc:mariadb://h/db?a=1&useAffectedRows=true");
        assertThat(DatabaseResolver.withAffectedRows("jdbc:mariadb://h/db?"))
                .isEqualTo("jdbc:mariadb://h/db?useAffectedRows=true");
        assertThat(DatabaseResolver.withAffectedRows("jdbc:mariadb://h/db?useAffectedRows=true&a=1"))
                .isEqualTo("jdbc:mariadb://h/db?useAffectedRows=true&a=1");
        assertThat(DatabaseResolver.withAffectedRows("jdbc:mariadb://h/db?a=1&USEAFFECTEDROWS=false&b=2"))
                .isEqualTo("jdbc:mariadb://h/db?a=1&useAffectedRows=true&b=2");
    }

    @Test
    void nothingFoundAbortsWithEverythingTriedAndIsRemembered() {
        int pgPort = freePort();
        int mariadbPort = freePort();
        try (DatabaseResolver resolver = new DatabaseResolver(DatabaseResolver.Settings.of(Map.of(NO_DOCKER, "false"))
                .withPorts(pgPort, mariadbPort)
                .withEmbedded(false))) {
            assertThatThrownBy(() -> resolver.get(DatabaseKind.POSTGRESQL))
                    .isInstanceOf(TestAbortedException.class)
                    .hasMessageStartingWith("No PostgreSQL database for tests; tried: ")
                    .hasMessageContaining("env LEASEHOLD_TEST_PG_URL not set")
                    .hasMessageContaining("Testcontainers disabled by LEASEHOLD_TEST_DOCKER=false")
                    .hasMessageContaining("local 127.0.0.1:" + pgPort + ": nothing answered within 300 ms")
                    .hasMessageContaining("embedded (zonky): not allowed here");
            assertThatThrownBy(() -> resolver.get(DatabaseKind.MARIADB))
                    .isInstanceOf(TestAbortedException.class)
                    .hasMessageContaining("No MariaDB database for tests")
                    .hasMessageContaining("env LEASEHOLD_TEST_MARIADB_URL not set")
                    .hasMessageContaining("local 127.0.0.1:" + mariadbPort + ": nothing answered");

            DatabaseResolver.Resolution first = resolver.resolution(DatabaseKind.POSTGRESQL);
            assertThat(first.database()).isNull();
            assertThat(resolver.resolution(DatabaseKind.POSTGRESQL)).isSameAs(first);
            // H2 needs nothing from outside.
            assertThat(resolver.get(DatabaseKind.H2).source()).isEqualTo("in-memory");
        }
    }

    @Test
    void aRequiredDatabaseThatIsMissingFails() {
        DatabaseResolver.Settings byVariable = DatabaseResolver.Settings.of(
                        Map.of(NO_DOCKER, "false", DatabaseResolver.REQUIRE_DB_VARIABLE, "true"))
                .withPorts(freePort(), freePort())
                .withEmbedded(false);
        try (DatabaseResolver resolver = new DatabaseResolver(byVariable)) {
            assertThatThrownBy(() -> resolver.get(DatabaseKind.POSTGRESQL))
                    .isInstanceOf(AssertionFailedError.class)
                    .hasMessageContaining("No PostgreSQL database for tests; tried: env LEASEHOLD_TEST_PG_URL not set")
                    .hasMessageContaining("LEASEHOLD_TEST_REQUIRE_DB=true");
        }
        DatabaseResolver.Settings byProperty = new DatabaseResolver.Settings(
                Map.of(NO_DOCKER, "false")::get,
                Map.of(DatabaseResolver.REQUIRE_DB_PROPERTY, "true")::get,
                "127.0.0.1",
                freePort(),
                freePort(),
                false);
        try (DatabaseResolver resolver = new DatabaseResolver(byProperty)) {
            assertThatThrownBy(() -> resolver.get(DatabaseKind.MARIADB)).isInstanceOf(AssertionFailedError.class);
        }
    }

    @Test
    void aLocalPortThatAnswersButIsNoDatabaseIsSkippedWithTheLoginError() throws Exception {
        try (ServerSocket impostor = new ServerSocket(0)) {
            Thread hangUp = new Thread(() -> {
                while (!impostor.isClosed()) {
                    try (Socket socket = impostor.accept()) {
                        socket.getOutputStream().write("not a database\n".getBytes());
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            hangUp.setDaemon(true);
            hangUp.start();
            int port = impostor.getLocalPort();
            try (DatabaseResolver resolver =
                    new DatabaseResolver(DatabaseResolver.Settings.of(Map.of(NO_DOCKER, "false"))
                            .withPorts(port, port)
                            .withEmbedded(false))) {
                assertThat(resolver.resolution(DatabaseKind.POSTGRESQL).reason())
                        .contains("local 127.0.0.1:" + port + ": login to jdbc:postgresql://127.0.0.1:" + port
                                + "/test as postgres failed");
                assertThat(resolver.resolution(DatabaseKind.MARIADB).reason())
                        .contains("local 127.0.0.1:" + port + ": login to jdbc:mariadb://127.0.0.1:" + port
                                + "/test?useAffectedRows=true as root failed");
            }
        }
    }

    @Test
    void theLocalServersAreFoundOnTheirPorts() throws Exception {
        // Only where the real search found them there too: this never starts or changes a server.
        TestDatabase realPg = TestDatabases.get(DatabaseKind.POSTGRESQL);
        TestDatabase realMariaDb = TestDatabases.get(DatabaseKind.MARIADB);
        org.junit.jupiter.api.Assumptions.assumeTrue(
                realPg.source().startsWith("local") && realMariaDb.source().startsWith("local"),
                "the local servers are not where this machine's tests find their databases");
        try (DatabaseResolver resolver = new DatabaseResolver(
                DatabaseResolver.Settings.of(Map.of(NO_DOCKER, "false")).withEmbedded(false))) {
            TestDatabase pg = resolver.get(DatabaseKind.POSTGRESQL);
            assertThat(pg.source()).isEqualTo("local 127.0.0.1:5432");
            assertThat(pg.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/test");
            assertThat(pg.user()).isEqualTo("postgres");
            assertThat(resolver.resolution(DatabaseKind.POSTGRESQL).tried())
                    .containsExactly(
                            "env LEASEHOLD_TEST_PG_URL not set",
                            "Testcontainers disabled by LEASEHOLD_TEST_DOCKER=false");
            TestDatabase mariadb = resolver.get(DatabaseKind.MARIADB);
            assertThat(mariadb.source()).isEqualTo("local 127.0.0.1:3306");
            assertThat(mariadb.jdbcUrl()).isEqualTo("jdbc:mariadb://127.0.0.1:3306/test?useAffectedRows=true");
            assertThat(mariadb.user()).isEqualTo("root");
            assertThat(selectOne(mariadb)).isEqualTo(1);
        }
    }

    @Test
    void anEmbeddedPostgresStartsWhenNothingElseIsThereAndStopsOnClose() throws Exception {
        TestDatabase db;
        try (DatabaseResolver resolver = new DatabaseResolver(
                DatabaseResolver.Settings.of(Map.of(NO_DOCKER, "false")).withPorts(freePort(), freePort()))) {
            db = resolver.get(DatabaseKind.POSTGRESQL);

            assertThat(db.source()).isEqualTo("embedded (zonky)");
            assertThat(db.describe())
                    .matches("PostgreSQL \\d+\\.\\d+ via embedded \\(zonky\\) \\(jdbc:postgresql:.+\\)");
            assertThat(resolver.resolution(DatabaseKind.POSTGRESQL).tried())
                    .hasSize(3)
                    .last()
                    .asString()
                    .contains(": nothing answered within 300 ms");
            assertThat(selectOne(db)).isEqualTo(1);
            String prefix = db.uniquePrefix("embedded");
            try (Connection connection = db.dataSource().getConnection();
                    Statement statement = connection.createStatement()) {
                statement.execute("CREATE TABLE " + prefix + "a (id INT)");
            }
            db.dropTablesWithPrefix(prefix);
            assertThat(Catalog.tablesStartingWith(db.dataSource(), DatabaseKind.POSTGRESQL, prefix))
                    .isEmpty();
        }
        // Closed with its resolver: the pool and the server are gone.
        assertThatThrownBy(db::dataSource).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> DatabaseResolver.connect(DatabaseKind.POSTGRESQL, db.jdbcUrl(), db.user(), ""))
                .isInstanceOf(SQLException.class);
    }

    private static int selectOne(TestDatabase db) throws SQLException {
        try (Connection connection = db.dataSource().getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT 1")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    /** A port nothing listens on (it was free a moment ago; nothing here binds ports at random meanwhile). */
    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
