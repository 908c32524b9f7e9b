package dev.leasehold.lock.jpa;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leasehold.lock.jpa.internal.LockFailures;
import dev.leasehold.lock.spi.SqlFailures;
import jakarta.persistence.LockTimeoutException;
import jakarta.persistence.PersistenceException;
import jakarta.persistence.PessimisticLockException;
import java.sql.SQLException;
import org.hibernate.exception.LockAcquisitionException;
import org.junit.jupiter.api.Test;

/** The exceptions of JPA and Hibernate are classified by the database's code in their cause chain. */
class LockFailuresTest {

    private static Throwable hibernate(SQLException sql) {
        return new PessimisticLockException("wrapped", new LockAcquisitionException("lock", sql, "select"));
    }

    @Test
    void lockNotAvailableOnEachDatabase() {
        assertThat(LockFailures.isLockNotAvailable(hibernate(new SQLException("nowait", "55P03"))))
                .isTrue();
        assertThat(LockFailures.isLockNotAvailable(hibernate(new SQLException("h2", "HYT00", 50200))))
                .isTrue();
        assertThat(LockFailures.isLockNotAvailable(hibernate(new SQLException("maria", "HY000", 1205))))
                .isTrue();
        assertThat(LockFailures.isLockNotAvailable(hibernate(new SQLException("mysql", "HY000", 3572))))
                .isTrue();
        assertThat(LockFailures.isLockNotAvailable(new PersistenceException(new SQLException("deep", "55P03"))))
                .isTrue();
    }

    @Test
    void aDeadlockIsNotHeldEvenWhenHibernateCallsItAPessimisticLockFailure() {
        assertThat(LockFailures.isLockNotAvailable(hibernate(new SQLException("deadlock", "40P01"))))
                .isFalse();
        assertThat(LockFailures.isLockNotAvailable(hibernate(new SQLException("deadlock", "40001", 1213))))
                .isFalse();
    }

    @Test
    void aLockTimeoutWithoutAnSqlErrorStillCounts() {
        assertThat(LockFailures.isLockNotAvailable(new LockTimeoutException("timed out")))
                .isTrue();
        assertThat(LockFailures.isLockNotAvailable(new PersistenceException("other")))
                .isFalse();
    }

    @Test
    void theEngineSeesOneSqlStateForEveryDatabase() {
        SQLException normalized =
                LockFailures.lockNotAvailable("renewal", hibernate(new SQLException("maria", "HY000", 1205)));
        assertThat(normalized.getSQLState()).isEqualTo("55P03");
        assertThat(SqlFailures.sqlState(new RuntimeException(normalized))).contains("55P03");
        assertThat(SqlFailures.isDuplicateKey(new PersistenceException(new SQLException("dup", "23505"))))
                .isTrue();
    }
}
