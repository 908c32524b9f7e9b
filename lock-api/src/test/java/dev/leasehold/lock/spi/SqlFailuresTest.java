package dev.leasehold.lock.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leasehold.lock.LockBackendException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;

/** The one classification of database failures: what a restart, failover or busy row produces is transient. */
class SqlFailuresTest {

    private static RuntimeException wrapped(SQLException e) {
        return new RuntimeException("driver wrapper", new RuntimeException("pool wrapper", e));
    }

    @Test
    void whatARestartOrFailoverProducesIsTransientOnPostgres() {
        for (String state : new String[] {"08006", "08001", "57P01", "57P02", "57P03", "25006", "40001", "40P01"}) {
            assertThat(SqlFailures.isTransient(wrapped(new SQLException("x", state))))
                    .as(state)
                    .isTrue();
        }
    }

    @Test
    void mariaDbCodesUnderTheGenericStateAreClassifiedByCode() {
        for (int code : new int[] {1205, 1213, 1290, 1836, 1927, 1969, 2006, 2013, 3572}) {
            assertThat(SqlFailures.isTransient(wrapped(new SQLException("x", "HY000", code))))
                    .as("code %d", code)
                    .isTrue();
        }
        assertThat(SqlFailures.isTransient(new SQLException("syntax", "42000", 1064)))
                .isFalse();
        assertThat(SqlFailures.isTransient(new SQLException("other", "HY000", 1048)))
                .isFalse();
    }

    @Test
    void h2ReportsABrokenOrClosedConnectionWithoutClass08() {
        for (String state : new String[] {"90067", "90098", "90121"}) {
            assertThat(SqlFailures.isTransient(wrapped(new SQLException("closed", state, Integer.parseInt(state)))))
                    .as(state)
                    .isTrue();
        }
    }

    @Test
    void lockNotAvailableOnEveryDatabase() {
        assertThat(SqlFailures.isLockNotAvailable(wrapped(new SQLException("lock_timeout", "55P03"))))
                .isTrue();
        assertThat(SqlFailures.isLockNotAvailable(wrapped(new SQLException("h2", "HYT00", 50200))))
                .isTrue();
        assertThat(SqlFailures.isLockNotAvailable(wrapped(new SQLException("maria", "HY000", 1205))))
                .isTrue();
        assertThat(SqlFailures.isLockNotAvailable(wrapped(new SQLException("maria", "70100", 1969))))
                .isTrue();
        assertThat(SqlFailures.isLockNotAvailable(wrapped(new SQLException("deadlock", "40P01"))))
                .isFalse();
        assertThat(SqlFailures.isLockNotAvailable(wrapped(new SQLException("gone", "08006"))))
                .isFalse();
    }

    @Test
    void theFirstSqlExceptionDecidesAndLockExceptionsAreNeverTransient() {
        SQLException outer = new SQLException("wrapped by a store", "42P01", new SQLException("inner", "08006"));
        assertThat(SqlFailures.isTransient(outer)).isFalse();
        assertThat(SqlFailures.sqlState(new RuntimeException(new SQLTransientConnectionException("x", "08003"))))
                .contains("08003");
        assertThat(SqlFailures.isTransient(
                        new LockBackendException("a", "08006", "already judged", new SQLException("x", "08006"))))
                .isFalse();
        assertThat(SqlFailures.sqlState(new RuntimeException("no database here")))
                .isEmpty();
    }

    @Test
    void duplicateKeysAndSessionEndings() {
        assertThat(SqlFailures.isDuplicateKey(wrapped(new SQLException("dup", "23505"))))
                .isTrue();
        assertThat(SqlFailures.isDuplicateKey(wrapped(new SQLException("gone", "08006"))))
                .isFalse();
        for (String state : new String[] {"08006", "57P01", "57P02", "25P03", "25P04"}) {
            assertThat(SqlFailures.endsSession(wrapped(new SQLException("x", state))))
                    .as(state)
                    .isTrue();
        }
        assertThat(SqlFailures.endsSession(wrapped(new SQLException("busy", "55P03"))))
                .isFalse();
    }
}
