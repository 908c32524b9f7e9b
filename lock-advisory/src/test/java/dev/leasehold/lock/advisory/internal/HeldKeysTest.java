package dev.leasehold.lock.advisory.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.leasehold.lock.LockBackendException;
import dev.leasehold.lock.advisory.internal.HeldKeys.Grant;
import dev.leasehold.lock.spi.LeaseKey;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The bookkeeping of an advisory session, without a database: which leases it holds, and how many times it holds each
 * key when names collide. A count that drifts from the server's would leave a key locked after its last lease, or
 * unlock a key a lease still needs.
 */
class HeldKeysTest {

    private static final long KEY = 42L;
    private static final long OTHER_KEY = -7L;

    private final HeldKeys held = new HeldKeys(10);

    @Test
    void twoNamesOnOneKeyStackItsLockAndUnstackItOnePerName() {
        Grant a = held.add("a", "owner", 1, KEY, 0);
        Grant b = held.add("b", "owner", 1, KEY, 0);
        assertThat(held.locksOn(KEY)).isEqualTo(2);

        held.remove(a);
        assertThat(held.holds("a")).isFalse();
        assertThat(held.locksOn(KEY)).as("still held for b").isEqualTo(1);
        assertThat(held.holdsKey(KEY)).isTrue();

        held.remove(b);
        assertThat(held.locksOn(KEY)).isZero();
        assertThat(held.holdsKey(KEY)).isFalse();
        assertThat(held.isEmpty()).isTrue();
    }

    @Test
    void aKeyHeldForAnotherNameIsSeenAsACollision() {
        held.add("a", "owner", 1, KEY, 0);
        assertThat(held.holds("b")).as("another name").isFalse();
        assertThat(held.holdsKey(KEY)).as("its key, held for a").isTrue();
        assertThat(held.holdsKey(OTHER_KEY)).isFalse();
    }

    @Test
    void aLeaseIsFoundOnlyByItsNameOwnerAndToken() {
        Grant a = held.add("a", "owner", 7, KEY, 0);
        assertThat(held.find("a", "owner", 7)).isSameAs(a);
        assertThat(held.find("a", "other", 7)).isNull();
        assertThat(held.find("a", "owner", 6)).isNull();
        assertThat(held.find("b", "owner", 7)).isNull();
    }

    @Test
    void manyLeasesAreFoundInTheGivenOrderEachNameOnce() {
        Grant a = held.add("a", "owner", 1, KEY, 0);
        Grant b = held.add("b", "owner", 2, OTHER_KEY, 0);
        held.add("c", "other", 3, KEY, 0);
        List<LeaseKey> asked = List.of(
                new LeaseKey("b", 2),
                new LeaseKey("a", 1),
                new LeaseKey("b", 2),
                new LeaseKey("c", 3),
                new LeaseKey("d", 4),
                new LeaseKey("a", 9));
        assertThat(held.find("owner", asked)).containsExactly(b, a);
    }

    @Test
    void grantsWhoseRowsRanOutAreFoundAndDroppedWithTheirCounts() {
        Grant early = held.add("early", "owner", 1, KEY, 100);
        Grant late = held.add("late", "owner", 1, KEY, 200);
        Grant other = held.add("other", "owner", 1, OTHER_KEY, 100);
        assertThat(held.ranOut(99)).isEmpty();
        assertThat(held.ranOut(150)).containsExactlyInAnyOrder(early, other);
        assertThat(held.ranOut(200)).containsExactlyInAnyOrder(early, late, other);

        assertThat(held.drop(List.of(early, other))).as("keys to unlock").containsExactly(KEY, OTHER_KEY);
        assertThat(held.holds("early")).isFalse();
        assertThat(held.locksOn(KEY)).as("still held for late").isEqualTo(1);
        assertThat(held.holdsKey(OTHER_KEY)).isFalse();
        assertThat(held.ranOut(150)).isEmpty();
        late.expiresAtNanos = 300;
        assertThat(held.ranOut(250)).as("renewed").isEmpty();
        assertThat(held.drop(List.of(late))).containsExactly(KEY);
        assertThat(held.isEmpty()).isTrue();
        assertThat(held.holdsKey(KEY)).isFalse();
    }

    @Test
    void runningOutIsJudgedAcrossTheWrapOfNanoTime() {
        Grant g = held.add("a", "owner", 1, KEY, Long.MAX_VALUE - 10);
        assertThat(held.ranOut(Long.MAX_VALUE - 11)).isEmpty();
        assertThat(held.ranOut(Long.MIN_VALUE + 10))
                .as("20 ns later, past the wrap")
                .containsExactly(g);
    }

    @Test
    void removingAGrantThatWasReplacedChangesNothing() {
        Grant old = held.add("a", "owner", 1, KEY, 0);
        held.remove(old);
        Grant current = held.add("a", "owner", 2, KEY, 0);
        held.remove(old);
        assertThat(held.find("a", "owner", 2)).isSameAs(current);
        assertThat(held.locksOn(KEY)).isEqualTo(1);
        assertThat(held.count()).isEqualTo(1);
    }

    @Test
    void theCapRefusesOneLockMoreNamingTheLockAndTheProperty() {
        HeldKeys capped = new HeldKeys(2);
        Grant a = capped.add("a", "owner", 1, KEY, 0);
        capped.checkRoom("b");
        capped.add("b", "owner", 1, OTHER_KEY, 0);
        assertThatThrownBy(() -> capped.checkRoom("c"))
                .isInstanceOfSatisfying(LockBackendException.class, e -> {
                    assertThat(e.lockName()).contains("c");
                    assertThat(e.sqlState()).isEmpty();
                })
                .hasMessageContaining("already holds 2 advisory locks")
                .hasMessageContaining("leasehold.advisory.maxLocks = 2");
        capped.remove(a);
        capped.checkRoom("c");
    }

    @Test
    void aCapBelowOneIsRejected() {
        assertThatThrownBy(() -> new HeldKeys(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxLocks");
    }

    @Test
    void clearingForgetsEveryLeaseAndEveryCount() {
        held.add("a", "owner", 1, KEY, 0);
        held.add("b", "owner", 1, KEY, 0);
        held.add("c", "owner", 1, OTHER_KEY, 0);
        assertThat(held.count()).isEqualTo(3);

        assertThat(held.clear()).isEqualTo(3);
        assertThat(held.count()).isZero();
        assertThat(held.isEmpty()).isTrue();
        assertThat(held.holdsKey(KEY)).isFalse();
        assertThat(held.holdsKey(OTHER_KEY)).isFalse();
        assertThat(held.holds("a")).isFalse();
    }
}
