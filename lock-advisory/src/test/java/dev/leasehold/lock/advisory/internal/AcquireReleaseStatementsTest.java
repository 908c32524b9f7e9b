package dev.leasehold.lock.advisory.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.advisory.internal.AdvisoryStatements.KnownAttempt;
import dev.leasehold.lock.spi.LeaseGrant;
import dev.leasehold.lock.testing.DatabaseKind;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestDatabases;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The acquire of a known name ({@link AdvisoryStatements#acquireKnown}) and the release on their own, on one connection
 * as the session runs them: the known acquire grants exactly what the acquire of any name grants, holds no advisory lock
 * when it grants nothing, and tells a missing row (which the insert must handle) from one that excludes; the release
 * commits asynchronously for its own transaction only.
 */
class AcquireReleaseStatementsTest {

    private static final TestDatabase DB = TestDatabases.get(DatabaseKind.POSTGRESQL);
    private static final String PREFIX = DB.uniquePrefix("AcqRelStmt");
    private static final Duration LEASE = Duration.ofSeconds(30);

    private static String table;
    private static AdvisoryStatements statements;

    private final long key = System.nanoTime() ^ 0x2545F4914F6CDD1DL;
    private final String name = "n-" + System.nanoTime();

    @BeforeAll
    static void setUp() {
        ConnectionSource connections = ConnectionSource.of(DB.dataSource());
        table = AdvisoryTable.setUp(
                        connections,
                        Jdbi.create(DB.dataSource()),
                        LockSettings.builder().tablePrefix(PREFIX).build())
                .table();
        statements = new AdvisoryStatements(table, Duration.ofMillis(500));
    }

    @AfterAll
    static void dropTables() {
        DB.dropTablesWithPrefix(PREFIX);
    }

    @Test
    void aKnownFreeRowIsGrantedWithTheNextTokenAndItsKeyHeld() throws Exception {
        try (Connection session = DB.connect()) {
            LeaseGrant first =
                    statements.acquire(session, true, key, name, "me", LEASE).orElseThrow();
            assertThat(statements.release(session, name, "me", first.token(), key))
                    .isEqualTo(new AdvisoryStatements.Release(true, true));

            KnownAttempt again = statements.acquireKnown(session, true, key, name, "me", LEASE);

            assertThat(again.grant())
                    .hasValueSatisfying(g -> assertThat(g.token()).isEqualTo(first.token() + 1));
            assertThat(again.rowUnseen()).isFalse();
            assertThat(locksOf(session)).as("advisory locks of the session").isEqualTo(1);
            assertThat(owner(name)).isEqualTo("me");
            statements.release(session, name, "me", again.grant().orElseThrow().token(), key);
            assertThat(locksOf(session)).isZero();
        }
    }

    @Test
    void aKeyHeldByAnotherSessionIsNotGrantedAndTheRowIsNotTouched() throws Exception {
        try (Connection session = DB.connect();
                Connection other = DB.connect()) {
            LeaseGrant first =
                    statements.acquire(session, true, key, name, "me", LEASE).orElseThrow();
            statements.release(session, name, "me", first.token(), key);
            lock(other, key);

            KnownAttempt attempt = statements.acquireKnown(session, true, key, name, "me", LEASE);

            assertThat(attempt.grant()).isEmpty();
            assertThat(attempt.rowUnseen())
                    .as("a held key says nothing about the row")
                    .isFalse();
            assertThat(locksOf(session)).isZero();
            assertThat(token(name)).isEqualTo(first.token());
            unlock(other, key);
        }
    }

    @Test
    void aMissingRowIsReportedUnseenWithoutALockAndTheAcquireOfAnyNameInsertsItAboveTheFloor() throws Exception {
        try (Connection session = DB.connect()) {
            long floor = token("");

            KnownAttempt attempt = statements.acquireKnown(session, true, key, name, "me", LEASE);

            assertThat(attempt.grant()).isEmpty();
            assertThat(attempt.rowUnseen()).as("the row is missing").isTrue();
            assertThat(locksOf(session)).as("the key is given back").isZero();
            LeaseGrant inserted =
                    statements.acquire(session, true, key, name, "me", LEASE).orElseThrow();
            assertThat(inserted.token()).isEqualTo(floor + 1);
            statements.release(session, name, "me", inserted.token(), key);
        }
    }

    @Test
    void anUnexpiredRowWithAnOwnerIsTakenOverOnlyImmediately() throws Exception {
        try (Connection session = DB.connect()) {
            // As a holder whose session ended left it: an owner, an unexpired lease, a free key.
            LeaseGrant abandoned =
                    statements.acquire(session, true, key, name, "gone", LEASE).orElseThrow();
            unlock(session, key);

            KnownAttempt afterExpiry = statements.acquireKnown(session, false, key, name, "me", LEASE);
            assertThat(afterExpiry.grant()).isEmpty();
            assertThat(afterExpiry.rowUnseen()).as("the row excludes").isFalse();
            assertThat(locksOf(session)).isZero();

            KnownAttempt immediate = statements.acquireKnown(session, true, key, name, "me", LEASE);
            assertThat(immediate.grant())
                    .hasValueSatisfying(g -> assertThat(g.token()).isEqualTo(abandoned.token() + 1));
            statements.release(
                    session, name, "me", immediate.grant().orElseThrow().token(), key);
        }
    }

    @Test
    void aMinimumHoldExcludesEvenAnImmediateTakeover() throws Exception {
        try (Connection session = DB.connect()) {
            LeaseGrant held =
                    statements.acquire(session, true, key, name, "me", LEASE).orElseThrow();
            statements.releaseAfter(session, name, "me", held.token(), key, Duration.ofMinutes(1));

            for (boolean immediate : new boolean[] {true, false}) {
                KnownAttempt attempt = statements.acquireKnown(session, immediate, key, name, "me", LEASE);
                assertThat(attempt.grant()).as("immediate: %s", immediate).isEmpty();
                assertThat(attempt.rowUnseen()).as("immediate: %s", immediate).isFalse();
                assertThat(statements.acquire(session, immediate, key, name, "me", LEASE))
                        .as("the acquire of any name agrees (immediate: %s)", immediate)
                        .isEmpty();
            }
            assertThat(locksOf(session)).isZero();
        }
    }

    @Test
    void theReleaseCommitsAsynchronouslyForItsOwnTransactionOnly() throws Exception {
        try (Connection session = DB.connect();
                Connection other = DB.connect()) {
            LeaseGrant grant =
                    statements.acquire(session, true, key, name, "me", LEASE).orElseThrow();

            assertThat(statements.release(session, name, "me", grant.token(), key))
                    .isEqualTo(new AdvisoryStatements.Release(true, true));

            assertThat(setting(session, "synchronous_commit"))
                    .as("the session's synchronous_commit after a release, for the grants that follow")
                    .isEqualTo("on");
            assertThat(owner(name))
                    .as("the release is visible to everyone at once")
                    .isNull();
            assertThat(statements
                            .acquireKnown(other, true, key, name, "other", LEASE)
                            .grant())
                    .isPresent();
            unlock(other, key);
        }
    }

    private static String setting(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT current_setting(?)")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private static String owner(String lockName) throws SQLException {
        return column("owner_id", lockName).orElse(null);
    }

    private static long token(String lockName) throws SQLException {
        return Long.parseLong(column("token", lockName).orElseThrow());
    }

    private static Optional<String> column(String column, String lockName) throws SQLException {
        try (Connection c = DB.connect();
                PreparedStatement ps =
                        c.prepareStatement("SELECT " + column + " FROM " + table + " WHERE lock_name = ?")) {
            ps.setString(1, lockName);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
            }
        }
    }

    private static void lock(Connection c, long key) throws SQLException {
        call(c, "SELECT pg_advisory_lock(?)", key);
    }

    private static void unlock(Connection c, long key) throws SQLException {
        call(c, "SELECT pg_advisory_unlock(?)", key);
    }

    private static void call(Connection c, String sql, long key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, key);
            ps.executeQuery().close();
        }
    }

    private static long locksOf(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                        + " AND pid = pg_backend_pid() AND granted");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
