package dev.leasehold.lock.advisory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestPool;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 4 acceptance: 100 leases of one manager are 100 advisory locks on one session connection, renewed there, and
 * all given back when the manager closes.
 */
class OneSessionTest {

    private static final TestDatabase DB = TestSupport.pg();
    private static final String PREFIX = DB.uniquePrefix("OneSessionTest");

    @AfterAll
    static void dropTables() {
        DB.dropTablesWithPrefix(PREFIX);
    }

    @Test
    void aHundredLeasesOfOneManagerUseOneSessionConnection() throws Exception {
        String base = "hundred-" + System.nanoTime() + "-";
        List<Long> keys = new ArrayList<>();
        int session;
        try (TestPool pool = DB.newPool("adv-hundred", 4)) {
            AdvisoryLockManager manager = AdvisoryLockManager.create(
                    pool, TestSupport.settings(PREFIX, Duration.ofSeconds(3)).build());
            try (manager) {
                List<Lease> leases = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    leases.add(manager.lock(base + i).tryAcquire().orElseThrow());
                    keys.add(manager.keyOf(base + i));
                }
                Set<Integer> holders = holders(keys);
                assertThat(holders)
                        .as("backends holding the 100 advisory locks")
                        .hasSize(1);
                session = holders.iterator().next();
                assertThat(TestSupport.advisoryLocksHeldBy(session)).isEqualTo(100);

                Instant firstExpiry = leases.get(0).expiresAt();
                await().atMost(Duration.ofSeconds(5))
                        .until(() -> leases.stream().allMatch(l -> l.expiresAt().isAfter(firstExpiry)));
                assertThat(leases).allMatch(Lease::isValid);
                assertThat(holders(keys)).as("after renewals").containsExactly(session);
            }
            for (long key : keys) {
                assertThat(TestSupport.holdersOf(key)).as("after close").isEmpty();
            }
            assertThat(TestSupport.isConnected(session))
                    .as("the unlocked session went back to the pool instead of being discarded")
                    .isTrue();
        }
    }

    private static Set<Integer> holders(List<Long> keys) throws SQLException {
        Set<Integer> holders = new HashSet<>();
        for (long key : keys) {
            holders.addAll(TestSupport.holdersOf(key));
        }
        return holders;
    }
}
