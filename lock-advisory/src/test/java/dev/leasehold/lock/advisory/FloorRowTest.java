package dev.leasehold.lock.advisory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestPool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The token floor's row is read (share-locked) only by an acquire that creates a row: a grant of a name whose row
 * exists never touches it, so that the one floor row is not a lock every grant of every name takes. Shown by holding
 * the floor's row exclusively from another transaction, as a purge batch does while it raises the floor.
 */
class FloorRowTest {

    private static final TestDatabase DB = TestSupport.pg();
    private static final String PREFIX = DB.uniquePrefix("FloorRowTest");

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeResources() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    @AfterAll
    static void dropTables() {
        DB.dropTablesWithPrefix(PREFIX);
    }

    private AdvisoryLockManager manager() {
        TestPool pool = DB.newPool("adv-floor", 4);
        resources.add(pool);
        return TestSupport.manager(
                pool,
                TestSupport.settings(PREFIX, Duration.ofSeconds(30))
                        .rowLockTimeout(Duration.ofMillis(200))
                        .build(),
                AdvisoryOptions.builder().build(),
                resources);
    }

    @Test
    void aKnownNameIsGrantedWhileTheFloorIsLockedAndANewNameWaitsForIt() throws Exception {
        AdvisoryLockManager manager = manager();
        String known = "known-" + System.nanoTime();
        String fresh = "fresh-" + System.nanoTime();
        Lease first = manager.lock(known).tryAcquire().orElseThrow();
        first.release();
        Lease second;
        try (AutoCloseable floor = DB.lockLeaseRow(PREFIX, "")) {
            second = manager.lock(known)
                    .tryAcquire()
                    .orElseThrow(() -> new AssertionError("a known name's grant waited for the floor's row"));
            assertThat(manager.lock(fresh).tryAcquire())
                    .as("a new row starts from the floor, so its insert waits for the floor's lock")
                    .isEmpty();
        }
        assertThat(second.token()).isEqualTo(first.token() + 1);
        second.release();
        Lease created = manager.lock(fresh).tryAcquire().orElseThrow();
        assertThat(created.token()).isPositive();
        created.release();
    }
}
