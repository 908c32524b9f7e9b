package dev.leasehold.lock.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.RetryOptions;
import java.time.Duration;
import java.time.Instant;
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
}
