package dev.leasehold.lock.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.leasehold.lock.DistributedLock;
import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockExpiredException;
import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.spi.LeaseGrant;
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
        return slowManager(tck().settings().build().ownerId());
    }

    /** A manager with {@code owner} whose lease does not renew during a test. */
    private LockManager slowManager(String owner) {
        Duration lease = tck().env().leaseTime().multipliedBy(10);
        return tck().manager(s -> s.ownerId(owner).leaseTime(lease).heartbeatInterval(lease.dividedBy(2)));
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

    /**
     * R8.7: a stale token of the same owner changes nothing at the store. When it fails: the store's renew, renewAll
     * or release is guarded by name and owner without the token, so an older grant of the same owner, or another
     * manager configured with the same owner id, acts on the current lease.
     */
    @Test
    default void required_r8_7_aStaleTokenOfTheSameOwnerChangesNothing() throws Exception {
        String owner = tck().name("owner");
        LockManager earlier = tck().manager(s -> s.ownerId(owner));
        LockManager current = slowManager(owner);
        String name = tck().name("same-owner-stale");
        Lease old = earlier.lock(name).tryAcquire().orElseThrow();
        old.release();
        Lease held = current.lock(name).tryAcquire().orElseThrow();
        assertThat(held.token()).isGreaterThan(old.token());
        LockInfo before = current.inspect(name).orElseThrow();
        Duration longer = tck().env().leaseTime().multipliedBy(50);
        for (LockManager via : List.of(earlier, current)) {
            LeaseStore store = tck().storeOf(via);
            String whose = via == earlier ? "the earlier holder's store" : "the current holder's store";
            assertThat(store.renew(name, owner, old.token(), longer))
                    .as("renew with the stale token, through %s", whose)
                    .isEmpty();
            assertThat(store.renewAll(owner, List.of(new LeaseKey(name, old.token())), longer))
                    .as("renewAll with the stale token, through %s", whose)
                    .isEmpty();
            assertThat(store.release(name, owner, old.token()))
                    .as("release with the stale token, through %s", whose)
                    .isFalse();
        }
        LockInfo after = current.inspect(name).orElseThrow();
        assertThat(after.ownerId()).isEqualTo(owner);
        assertThat(after.token()).as("token of the current lease").isEqualTo(held.token());
        assertThat(after.expiresAt()).as("expiry of the current lease").isEqualTo(before.expiresAt());
        assertThat(held.isValid()).isTrue();
        held.release();
    }

    /**
     * R8.8: an expired lease that nobody took over cannot be renewed or released by its old holder. When it fails: the
     * store's renew, renewAll or release checks name, owner and token but not the expiry (no {@code expires_at >
     * now} in the statement), so a lease that ran out comes back to life, or is released as if it still held.
     */
    @Test
    default void required_r8_8_anExpiredLeaseCanNeitherBeRenewedNorReleased() throws Exception {
        LockManager holder = tck().manager();
        LockManager next = tck().manager();
        LeaseStore store = tck().storeOf(holder);
        String name = tck().name("expired-untaken");
        String owner = holder.ownerId();
        Duration brief = tck().env().leaseTime().dividedBy(4);
        LeaseGrant grant = store.tryAcquire(name, owner, brief).orElseThrow();
        StoreTimes.awaitExpired(tck(), store, name, brief);
        Duration longer = tck().env().leaseTime().multipliedBy(50);
        assertThat(store.renew(name, owner, grant.token(), longer))
                .as("renew of the expired lease")
                .isEmpty();
        assertThat(store.renewAll(owner, List.of(new LeaseKey(name, grant.token())), longer))
                .as("renewAll of the expired lease")
                .isEmpty();
        assertThat(store.release(name, owner, grant.token()))
                .as("release of the expired lease")
                .isFalse();
        assertThat(store.inspect(name)).as("held afterwards").isEmpty();
        LeaseStore other = tck().storeOf(next);
        LeaseGrant taken = other.tryAcquire(name, next.ownerId(), longer)
                .orElseThrow(() -> new AssertionError("the expired lease still holds the lock"));
        assertThat(taken.token()).isGreaterThan(grant.token());
        assertThat(other.release(name, next.ownerId(), taken.token())).isTrue();
    }

    /**
     * R8.9: renewAll leaves wrong keys exactly as they were and renews the right ones from the store's current time,
     * with the lease time it is given. When it fails: the batch renewal moves expiries before checking the keys (an
     * {@code UPDATE} by name or owner followed by a guarded read), adds the lease time to the old expiry, or uses the
     * lease time of the grant instead of the one it is given.
     */
    @Test
    default void required_r8_9_renewAllChangesOnlyTheRightKeysFromTheStoresNow() throws Exception {
        LockManager a = slowManager();
        LockManager b = slowManager();
        LeaseStore store = tck().storeOf(a);
        String x = tck().name("renew-mine");
        String y = tck().name("renew-theirs");
        StoreTimes.Call granted = StoreTimes.Call.start();
        Lease ax = a.lock(x).tryAcquire().orElseThrow();
        granted = granted.end();
        Lease by = b.lock(y).tryAcquire().orElseThrow();
        LockInfo xBefore = a.inspect(x).orElseThrow();
        LockInfo yBefore = b.inspect(y).orElseThrow();
        Duration given = tck().env().leaseTime().multipliedBy(12);

        Map<String, Instant> wrong = store.renewAll(
                a.ownerId(), List.of(new LeaseKey(x, ax.token() + 1), new LeaseKey(y, by.token())), given);
        assertThat(wrong).as("renewAll with a wrong token and a wrong owner").isEmpty();
        assertThat(a.inspect(x).orElseThrow().expiresAt())
                .as("expiry of a lease renewed with a wrong token")
                .isEqualTo(xBefore.expiresAt());
        assertThat(b.inspect(y).orElseThrow().expiresAt())
                .as("expiry of another owner's lease")
                .isEqualTo(yBefore.expiresAt());

        StoreTimes.Call call = StoreTimes.Call.start();
        Map<String, Instant> renewed =
                store.renewAll(a.ownerId(), List.of(new LeaseKey(x, ax.token()), new LeaseKey(y, by.token())), given);
        call = call.end();
        assertThat(renewed).containsOnlyKeys(x);
        LockInfo xAfter = a.inspect(x).orElseThrow();
        assertThat(xAfter.expiresAt()).as("expiry the store keeps").isEqualTo(renewed.get(x));
        assertThat(xAfter.expiresAt()).isAfterOrEqualTo(xBefore.expiresAt());
        StoreTimes.assertExpiryFromStoreNow(
                tck(), "expiry after renewAll", renewed.get(x), xBefore.acquiredAt(), granted, call, given);
        assertThat(b.inspect(y).orElseThrow().expiresAt())
                .as("expiry of another owner's lease")
                .isEqualTo(yBefore.expiresAt());
        ax.release();
        by.release();
    }
}
