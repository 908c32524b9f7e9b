package dev.leasehold.lock.jpa;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leasehold.lock.jpa.internal.JpaLeaseStore;
import dev.leasehold.lock.spi.LeaseGrant;
import dev.leasehold.lock.spi.LeaseKey;
import dev.leasehold.lock.testing.DatabaseKind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A heartbeat renews all of a manager's leases with one {@code renewAll}; its cost must not be one statement per lease
 * on top of the row locks. Measured before this test: 10,000 leases on PostgreSQL sent over 10,000 statements per
 * heartbeat and were lost. The statements are counted by the unit's statement inspector.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RenewManyTest {

    private static final int LEASES = 510;
    private static final int CHUNKS = 2; // JpaLeaseStore renews at most 500 leases per transaction
    private static final Duration LEASE = Duration.ofMinutes(5);

    private final TestEnv.PerKind envs = new TestEnv.PerKind("renewmany");

    @AfterAll
    void close() {
        envs.close();
    }

    @ParameterizedTest
    @EnumSource(names = {"POSTGRESQL", "H2"}) // the statements are the same JPQL on MariaDB
    void renewingManyLeasesCostsAFewStatementsPerChunkBesidesTheRowLocks(DatabaseKind kind) throws Exception {
        TestEnv env = envs.get(kind);
        JpaLeaseStore store = JpaLeaseStore.open(env.emf, env.settings().build());
        String owner = "renew-many-" + kind;
        List<LeaseKey> keys = new ArrayList<>();
        List<Instant> grantedUntil = new ArrayList<>();
        for (int i = 0; i < LEASES; i++) {
            LeaseGrant grant = store.tryAcquire("many-" + i, owner, LEASE).orElseThrow();
            keys.add(new LeaseKey("many-" + i, grant.token()));
            grantedUntil.add(grant.expiresAt());
        }
        // A stale key among them: the same name with a token that was never granted is not renewed.
        List<LeaseKey> withStale = new ArrayList<>(keys.subList(1, LEASES));
        withStale.add(new LeaseKey("many-0", keys.get(0).token() + 1));

        env.statements.set(0);
        Map<String, Instant> renewed = store.renewAll(owner, withStale, LEASE);
        int statements = env.statements.get();
        store.close();

        assertThat(renewed).hasSize(LEASES - 1).doesNotContainKey("many-0");
        Instant lastGrantEnds = grantedUntil.get(LEASES - 1);
        assertThat(renewed.values()).allSatisfy(expiry -> assertThat(expiry).isAfter(lastGrantEnds));
        Instant stale =
                env.inTransaction(em -> em.find(LeaseRow.class, "many-0").getExpiresAt());
        assertThat(stale).isEqualTo(grantedUntil.get(0));
        Instant renewedRow =
                env.inTransaction(em -> em.find(LeaseRow.class, "many-7").getExpiresAt());
        assertThat(renewedRow).isEqualTo(renewed.get("many-7"));
        // PostgreSQL locks a chunk's rows in one statement; H2 and MariaDB one row at a time (a real lock timeout).
        int rowLocks = kind == DatabaseKind.POSTGRESQL ? 0 : LEASES;
        assertThat(statements).isLessThanOrEqualTo(rowLocks + 5 * CHUNKS);
    }
}
