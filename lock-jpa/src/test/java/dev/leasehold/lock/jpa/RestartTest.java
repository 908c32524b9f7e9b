package dev.leasehold.lock.jpa;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.testing.OwnedPostgres;
import jakarta.persistence.EntityManagerFactory;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The JPA backend across a restart of PostgreSQL, on a cluster of the test's own. (The TCK's restart rule runs in
 * {@link JpaRestartTckTest}.)
 */
class RestartTest {

    /**
     * A pool hands out, without checking them, connections it used moments ago (HikariCP: within 500 ms), so the first
     * statements after a restart may meet connections the restart ended: the table set-up tries again on a new one.
     */
    @Test
    void aManagerBuiltRightAfterARestartGetsPastThePoolsDeadConnections() throws Exception {
        try (OwnedPostgres pg = OwnedPostgres.create();
                HikariDataSource pool = pg.database().newPool("jpa-restart", 4)) {
            String prefix = pg.database().uniquePrefix("jpa_restart");
            try (EntityManagerFactory emf = TestUnits.unit("jpa-restart", pool, prefix, Map.of())) {
                List<Connection> used = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    used.add(pool.getConnection());
                }
                for (Connection c : used) {
                    c.close(); // back in the pool, used just now
                }
                pg.restart(Duration.ZERO);
                try (JpaLockManager locks = JpaLockManager.create(
                        emf, LockSettings.builder().tablePrefix(prefix).build())) {
                    Lease lease = locks.lock("after-restart").tryAcquire().orElseThrow();
                    assertThat(lease.isValid()).isTrue();
                    lease.release();
                }
            } finally {
                pg.database().dropTablesWithPrefix(prefix);
            }
        }
    }
}
