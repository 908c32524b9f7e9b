package dev.leasehold.lock.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.leasehold.lock.DistributedLock;
import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockExpiredException;
import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.spi.LeaseKey;
import dev.leasehold.lock.spi.LeaseStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Rules 8.x of SPEC.md: release and stale holders. */
public interface ReleaseRules extends TckSuite {

    /** A manager whose lease does not renew during a test: ten lease times, renewed every five. */
    private LockManager slowManager() {
        Duration lease = tck().env().leaseTime().multipliedBy(10);
        return tck().manager(s -> s.leaseTime(lease).heartbeatInterval(lease.dividedBy(2)));
    }

    /** R8.1: release frees the lock at once. When it fails: release does not reach the store or does not clear it. */
    @Test
    default void required_r8_1_releaseFreesTheLockAtOnce() {
        LockManager holder = tck().manager();
        LockManager other = tck().manager();
        String name = tck().name("release");
        DistributedLock lock = holder.lock(name);
        Lease lease = lock.tryAcquire().orElseThrow();
        lease.release();
        assertThat(lease.isValid()).isFalse();
        assertThat(lock.isHeld()).isFalse();
        assertThat(other.inspect(name)).isEmpty();
        Lease next = other.lock(name).tryAcquire().orElseThrow(() -> new AssertionError("not free after release"));
        assertThat(other.inspect(name)).map(LockInfo::ownerId).contains(other.ownerId());
        next.release();
    }

    /**
     * R8.2: releasing twice does nothing. When it fails: a second release throws, or frees a lock someone else took
     * in between.
     */
    @Test
    default void required_r8_2_releasingTwiceDoesNothing() {
        LockManager holder = tck().manager();
        LockManager other = tck().manager();
        String name = tck().name("twice");
        Lease lease = holder.lock(name).tryAcquire().orElseThrow();
        lease.release();
        Lease next = other.lock(name).tryAcquire().orElseThrow();
        lease.release();
        lease.close();
        assertThat(next.isValid()).isTrue();
        assertThat(holder.inspect(name)).map(LockInfo::token).contains(next.token());
        next.release();
    }

    /**
     * R8.3: a stale holder cannot release the new holder's lock. When it fails: release is guarded by name only, or a
     * holder whose renewals failed past its deadline still believes it holds the lock.
     */
    @Test
    default void required_r8_3_aStaleHolderCannotReleaseTheNewHoldersLock() {
        LockManager stale = tck().manager();
        LockManager next = tck().manager();
        String name = tck().name("stale");
        Faults faults = tck().faultsOf(stale);
        Lease old = stale.lock(name).tryAcquire().orElseThrow();
        faults.failRenewals();
        Lease taken =
                next.lock(name).acquire(tck().env().leaseTime().plus(tck().env().patience()));
        assertThatThrownBy(old::release).isInstanceOf(LockExpiredException.class);
        faults.heal();
        assertThat(next.inspect(name)).hasValueSatisfying(info -> {
            assertThat(info.ownerId()).isEqualTo(next.ownerId());
            assertThat(info.token()).isEqualTo(taken.token());
        });
        Instant expiry = taken.expiresAt();
        await().atMost(tck().env().patience())
                .pollInterval(Duration.ofMillis(20))
                .until(() -> taken.expiresAt().isAfter(expiry));
        assertThat(taken.isValid()).isTrue();
        taken.release();
    }

    /**
     * R8.4: the store's release is guarded by owner and token. When it fails: the release statement's WHERE clause
     * lacks the owner or the token.
     */
    @Test
    default void required_r8_4_storeReleaseIsGuardedByOwnerAndToken() throws Exception {
        LockManager holder = tck().manager();
        LeaseStore store = tck().storeOf(holder);
        String name = tck().name("guarded-release");
        Lease lease = holder.lock(name).tryAcquire().orElseThrow();
        assertThat(store.release(name, "someone-else", lease.token()))
                .as("another owner")
                .isFalse();
        assertThat(store.release(name, holder.ownerId(), lease.token() + 1))
                .as("a wrong token")
                .isFalse();
        assertThat(holder.inspect(name)).map(LockInfo::token).contains(lease.token());

        assertThat(store.release(name, holder.ownerId(), lease.token())).isTrue();
        LockManager next = slowManager();
        Lease taken = next.lock(name).tryAcquire().orElseThrow();
        assertThat(store.release(name, holder.ownerId(), lease.token()))
                .as("the stale holder")
                .isFalse();
        assertThat(next.inspect(name)).hasValueSatisfying(info -> {
            assertThat(info.ownerId()).isEqualTo(next.ownerId());
            assertThat(info.token()).isEqualTo(taken.token());
        });
        taken.release();
    }

    /**
     * R8.5: the store's renew is guarded by owner and token. When it fails: the renew statement's WHERE clause lacks
     * the owner or the token, and a stale holder extends (or takes back) the new holder's lease.
     */
    @Test
    default void required_r8_5_storeRenewIsGuardedByOwnerAndToken() throws Exception {
        LockManager holder = tck().manager();
        LeaseStore store = tck().storeOf(holder);
        String name = tck().name("guarded-renew");
        Lease lease = holder.lock(name).tryAcquire().orElseThrow();
        assertThat(store.release(name, holder.ownerId(), lease.token())).isTrue();
        LockManager next = slowManager();
        Lease taken = next.lock(name).tryAcquire().orElseThrow();
        LockInfo before = next.inspect(name).orElseThrow();
        Duration longer = tck().env().leaseTime().multipliedBy(50);
        assertThat(store.renew(name, holder.ownerId(), lease.token(), longer))
                .as("renewal by the stale holder")
                .isEmpty();
        assertThat(store.renew(name, "someone-else", taken.token(), longer))
                .as("renewal by another owner with the holder's token")
                .isEmpty();
        LockInfo after = next.inspect(name).orElseThrow();
        assertThat(after.ownerId()).isEqualTo(next.ownerId());
        assertThat(after.token()).isEqualTo(taken.token());
        assertThat(after.expiresAt()).isEqualTo(before.expiresAt());
        taken.release();
    }

    /**
     * R8.6: renewAll renews only the owner's own leases. When it fails: the batch renewal matches rows by name only,
     * or by owner without the token.
     */
    @Test
    default void required_r8_6_renewAllRenewsOnlyTheOwnersOwnLeases() throws Exception {
        LockManager a = tck().manager();
        LockManager b = slowManager();
        LeaseStore store = tck().storeOf(a);
        String x = tck().name("mine");
        String y = tck().name("theirs");
        Lease ax = a.lock(x).tryAcquire().orElseThrow();
        Lease by = b.lock(y).tryAcquire().orElseThrow();
        LockInfo yBefore = b.inspect(y).orElseThrow();
        Map<String, Instant> renewed = store.renewAll(
                a.ownerId(),
                List.of(new LeaseKey(x, ax.token()), new LeaseKey(y, by.token())),
                tck().env().leaseTime().multipliedBy(50));
        assertThat(renewed).containsOnlyKeys(x);
        assertThat(store.renewAll(
                        a.ownerId(),
                        List.of(new LeaseKey(x, ax.token() + 1)),
                        tck().env().leaseTime()))
                .as("a wrong token")
                .isEmpty();
        LockInfo yAfter = b.inspect(y).orElseThrow();
        assertThat(yAfter.ownerId()).isEqualTo(b.ownerId());
        assertThat(yAfter.expiresAt()).isEqualTo(yBefore.expiresAt());
        ax.release();
        by.release();
    }
}
