package dev.leasehold.lock.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leasehold.lock.LockBackendException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;

/** The one classification of database failures: what a restart, failover or busy row produces is transient. */
class SqlStatesTest {

    private static RuntimeException wrapped(SQLException e) {
        return new RuntimeException("driver wrapper", new RuntimeException("pool wrapper", e));
    }

    @Test
    void whatARestartOrFailoverProducesIsTransientOnPostgres() {
        for (String state : new String[] {"08006", "08001", "57P01", "57P02", "57P03", "25006", "40001", "40P01"}) {
            assertThat(SqlStates.isTransient(wrapped(new SQLException("x", state))))
                    .as(state)
                    .isTrue();
        }
    }

    @Test
    void mariaDbCodesUnderTheGenericStateAreClassifiedByCode() {
        for (int code : new int[] {1205, 1213, 1290, 1836, 1927, 1969, 2006, 2013, 3572}) {
            assertThat(SqlStates.isTransient(wrapped(new SQLException("x", "HY000", code))))
                    .as("code %d", code)
                    .isTrue();
        }
        assertThat(SqlStates.isTransient(new SQLException("syntax", "42000", 1064)))
                .isFalse();
        assertThat(SqlStates.isTransient(new SQLException("other", "HY000", 1048)))
                .isFalse();
    }

    @Test
    void lockNotAvailableOnEveryDatabase() {
        assertThat(SqlStates.isLockNotAvailable(wrapped(new SQLException("lock_timeout", "55P03"))))
                .isTrue();
        assertThat(SqlStates.isLockNotAvailable(wrapped(new SQLException("h2", "HYT00", 50200))))
                .isTrue();
        assertThat(SqlStates.isLockNotAvailable(wrapped(new SQLException("maria", "HY000", 1205))))
                .isTrue();
        assertThat(SqlStates.isLockNotAvailable(wrapped(new SQLException("maria", "70100", 1969))))
                .isTrue();
        assertThat(SqlStates.isLockNotAvailable(wrapped(new SQLException("deadlock", "40P01"))))
                .isFalse();
        assertThat(SqlStates.isLockNotAvailable(wrapped(new SQLException("gone", "08006"))))
                .isFalse();
    }

    @Test
    void theFirstSqlExceptionDecidesAndLockExceptionsAreNeverTransient() {
        SQLException outer = new SQLException("wrapped by a store", "42P01", new SQLException("inner", "08006"));
        assertThat(SqlStates.isTransient(outer)).isFalse();
        assertThat(SqlStates.of(new RuntimeException(new SQLTransientConnectionException("x", "08003"))))
                .contains("08003");
        assertThat(SqlStates.isTransient(
                        new LockBackendException("a", "08006", "already judged", new SQLException("x", "08006"))))
                .isFalse();
        assertThat(SqlStates.of(new RuntimeException("no database here"))).isEmpty();
    }
}
