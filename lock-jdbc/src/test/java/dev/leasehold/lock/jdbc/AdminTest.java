package dev.leasehold.lock.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.testing.DatabaseKind;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestDatabases;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Listing held locks and freeing one by force, for operators. */
class AdminTest {

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void listShowsHeldLocksAndForceReleaseFreesOneAndTellsItsHolder(DatabaseKind kind) {
        TestDatabase db = TestDatabases.get(kind);
        String prefix = db.uniquePrefix("admin");
        LockSettings settings = LockSettings.builder()
                .tablePrefix(prefix)
                .leaseTime(Duration.ofSeconds(2))
                .build();
        try (JdbcLockManager holder = JdbcLockManager.create(db.dataSource(), settings);
                JdbcLockManager admin = JdbcLockManager.create(db.dataSource(), settings)) {
            Lease a = holder.lock("a").tryAcquire().orElseThrow();
            Lease b = holder.lock("b").tryAcquire().orElseThrow();
            holder.lock("c").tryAcquire().orElseThrow().release();
            assertThat(admin.list()).extracting(LockInfo::name).containsExactly("a", "b");
            AtomicInteger told = new AtomicInteger();
            a.onLost(e -> told.incrementAndGet());

            assertThat(admin.forceRelease("a")).hasValueSatisfying(freed -> {
                assertThat(freed.ownerId()).isEqualTo(holder.ownerId());
                assertThat(freed.token()).isEqualTo(a.token());
            });
            assertThat(admin.forceRelease("a")).as("already free").isEmpty();
            assertThat(admin.list()).extracting(LockInfo::name).containsExactly("b");
            await().atMost(Duration.ofSeconds(3)).until(() -> told.get() == 1);
            assertThat(b.isValid()).isTrue();
            assertThatThrownBy(() -> admin.forceRelease(" ")).isInstanceOf(IllegalArgumentException.class);
        } finally {
            db.dropTablesWithPrefix(prefix);
        }
    }
}
