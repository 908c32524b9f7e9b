package dev.leasehold.lock.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.RetryOptions;
import dev.leasehold.lock.spi.LeaseGrant;
import dev.leasehold.lock.spi.LeaseKey;
import dev.leasehold.lock.spi.LeaseStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Rules 3.x of SPEC.md: fencing tokens. */
public interface FencingRules extends TckSuite {

    /**
     * R3.1: tokens increase across owners and releases. When it fails: the token is constant, drawn from a source
     * that is not per name, or reset when a lease is released (a deleted row restarts the counter).
     */
    @Test
    default void required_r3_1_tokensIncreaseAcrossOwnersAndReleases() {
        LockManager a = tck().manager();
        LockManager b = tck().manager();
        String name = tck().name("tokens");
        long previous = 0;
        for (LockManager m : new LockManager[] {a, b, a, b, b}) {
            Lease lease = m.lock(name).tryAcquire().orElseThrow();
            assertThat(lease.token()).as("token after %s", previous).isGreaterThan(previous);
            previous = lease.token();
            lease.release();
        }
    }

    /**
     * R3.2: tokens increase across a takeover after expiry. When it fails: the takeover path of the acquire writes a
     * token without reading the expired row's token.
     */
    @Test
    default void required_r3_2_tokensIncreaseAcrossTakeover() {
        LockManager crashed = tck().manager();
        LockManager next = tck().manager();
        String name = tck().name("takeover");
        Lease first = crashed.lock(name).tryAcquire().orElseThrow();
        tck().crash(crashed);
        Lease second =
                next.lock(name).acquire(tck().env().leaseTime().plus(tck().env().patience()));
        assertThat(second.token()).isGreaterThan(first.token());
        second.release();
    }

    /**
     * R3.3: renewals keep the token. When it fails: the renew statement assigns a new token, or extend re-acquires.
     */
    @Test
    default void required_r3_3_renewalsKeepTheToken() {
        LockManager manager = tck().manager();
        String name = tck().name("keep-token");
        Lease lease = manager.lock(name).tryAcquire().orElseThrow();
        long token = lease.token();
        Instant firstExpiry = manager.inspect(name).orElseThrow().expiresAt();
        await().atMost(tck().env().patience())
                .pollInterval(Duration.ofMillis(20))
                .until(() -> manager.inspect(name).orElseThrow().expiresAt().isAfter(firstExpiry));
        assertThat(manager.inspect(name))
                .as("token after a heartbeat")
                .map(LockInfo::token)
                .contains(token);
        assertThat(lease.token()).isEqualTo(token);
        lease.extend(tck().env().leaseTime().multipliedBy(2));
        assertThat(lease.token()).isEqualTo(token);
        assertThat(manager.inspect(name)).map(LockInfo::token).contains(token);
        lease.release();
    }

    /**
     * R3.4: tokens survive restarts. When it fails: the counter lives in a manager or a connection rather than in the
     * store.
     */
    @Test
    default void required_r3_4_tokensKeepIncreasingAfterRestarts() {
        String name = tck().name("restart");
        LockManager a = tck().manager();
        Lease first = a.lock(name).tryAcquire().orElseThrow();
        first.release();
        a.close();
        LockManager b = tck().manager();
        Lease second = b.lock(name).tryAcquire().orElseThrow();
        b.close();
        LockManager c = tck().manager();
        Lease third = c.lock(name).tryAcquire().orElseThrow();
        assertThat(second.token()).isGreaterThan(first.token());
        assertThat(third.token()).isGreaterThan(second.token());
        third.release();
    }

    /**
     * R3.5: under contention tokens increase in holding order. When it fails: two grants computed their tokens from
     * the same previous value (the token is not assigned by the statement that wins the grant).
     */
    @Test
    default void required_r3_5_tokensIncreaseInHoldingOrderUnderContention() throws InterruptedException {
        String name = tck().name("token-order");
        Contention run = Contention.run(tck(), name, 2, 4, 8);
        assertThat(run.failures.size()).as(run.failureSummary()).isZero();
        assertThat(run.tokens).hasSize(run.sections).isSorted().doesNotHaveDuplicates();
    }

    /** Used by other suites: the retry options of a waiter that waits up to the patience. */
    static RetryOptions patient(TckContext tck) {
        return RetryOptions.waitUpTo(tck.env().patience(), Duration.ofMillis(10));
    }

    /**
     * R3.6: the last token of a name is never forgotten. When it fails: the next token is computed from the leases that
     * hold (an expired or released lease's token is not counted), rows of idle names are purged or expire from a cache,
     * or the counter lives in something that goes away when every manager is closed (a connection, an in-memory
     * database that closes with its last connection).
     */
    @Test
    default void required_r3_6_theLastTokenOfANameIsNeverForgotten() throws Exception {
        String name = tck().name("never-forgotten");
        Duration brief = tck().env().leaseTime().dividedBy(4);
        LockManager a = tck().manager();
        LockManager b = tck().manager();
        LeaseStore sa = tck().storeOf(a);
        LeaseStore sb = tck().storeOf(b);
        LeaseGrant first = sa.tryAcquire(name, a.ownerId(), brief).orElseThrow();
        StoreTimes.awaitExpired(tck(), sa, name, brief);
        StoreTimes.idle(brief.multipliedBy(3));
        LeaseGrant second = sb.tryAcquire(name, b.ownerId(), brief).orElseThrow();
        assertThat(second.token()).as("token after the name was idle").isGreaterThan(first.token());
        assertThat(sb.release(name, b.ownerId(), second.token())).isTrue();
        LeaseGrant third = sa.tryAcquire(name, a.ownerId(), brief).orElseThrow();
        assertThat(third.token()).as("token after a release").isGreaterThan(second.token());
        a.close();
        b.close();
        LockManager c = tck().manager();
        LeaseStore sc = tck().storeOf(c);
        StoreTimes.awaitExpired(tck(), sc, name, brief);
        LeaseGrant fourth =
                sc.tryAcquire(name, c.ownerId(), tck().env().leaseTime()).orElseThrow();
        assertThat(fourth.token())
                .as("token after every manager was closed and a new one built")
                .isGreaterThan(third.token());
        assertThat(sc.release(name, c.ownerId(), fourth.token())).isTrue();
    }

    /**
     * R3.7: a takeover by the crashed holder's own owner id gets a larger token, and the old token is dead. When it
     * fails: the store treats a grant to the same owner over its expired lease as the holder coming back (it keeps the
     * token), or its renew, renewAll or release is guarded by name and owner without the token.
     */
    @Test
    default void required_r3_7_aTakeoverByTheSameOwnerIdGetsALargerToken() throws Exception {
        String owner = tck().name("returning-owner");
        Duration brief = tck().env().leaseTime().dividedBy(4);
        Duration slow = tck().env().leaseTime().multipliedBy(10);
        LockManager crashed =
                tck().manager(s -> s.ownerId(owner).leaseTime(brief).heartbeatInterval(brief.dividedBy(3)));
        LockManager next = tck().manager(s -> s.ownerId(owner).leaseTime(slow).heartbeatInterval(slow.dividedBy(2)));
        String name = tck().name("same-owner-takeover");
        Lease old = crashed.lock(name).tryAcquire().orElseThrow();
        tck().crash(crashed);
        Lease taken = next.lock(name).acquire(brief.plus(tck().env().patience()));
        assertThat(taken.token()).as("token of the takeover").isGreaterThan(old.token());
        LeaseStore store = tck().storeOf(next);
        LockInfo before = next.inspect(name).orElseThrow();
        Duration longer = tck().env().leaseTime().multipliedBy(50);
        assertThat(store.renew(name, owner, old.token(), longer))
                .as("renew with the old token")
                .isEmpty();
        assertThat(store.renewAll(owner, List.of(new LeaseKey(name, old.token())), longer))
                .as("renewAll with the old token")
                .isEmpty();
        assertThat(store.release(name, owner, old.token()))
                .as("release with the old token")
                .isFalse();
        LockInfo after = next.inspect(name).orElseThrow();
        assertThat(after.token()).isEqualTo(taken.token());
        assertThat(after.expiresAt()).as("expiry of the new lease").isEqualTo(before.expiresAt());
        assertThat(taken.isValid()).isTrue();
        taken.release();
    }
}
