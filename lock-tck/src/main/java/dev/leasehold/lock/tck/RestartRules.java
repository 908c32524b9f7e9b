package dev.leasehold.lock.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.testing.TestTimes;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Rule 9.3 of SPEC.md: a restart of the database. Needs {@link TckFixture#restartDatabase}; a fixture over a shared
 * database aborts it.
 */
public interface RestartRules extends TckSuite {

    /** Waits until the manager has made {@code attempts} acquire attempts in all, when the fixture counts them. */
    private void awaitAttempts(LockManager manager, int attempts) {
        tck().fixture()
                .faults(manager)
                .ifPresent(f -> await().atMost(tck().env().patience())
                        .pollInterval(Duration.ofMillis(2))
                        .until(() -> f.tryAcquireCalls() >= attempts));
    }

    /**
     * R9.3: a restart of the database never repeats a token, keeps or loses each lease by its local deadline, and
     * never hangs a waiter. After a first restart with nothing held, one manager holds two leases while another waits
     * in {@code acquire} for one of them, through two restarts. After a short one (a quarter of the lease time down)
     * each lease is, a lease time plus S after the restart began, either still valid with its token (its renewals got
     * through) or lost once, no later than that; the waiter then acquires once the lock is released or lost. A long one
     * (the lease time plus S down) outlasts every local deadline: every lease is lost, each no later than L + S after
     * the restart began, and a new waiter acquires once the database is back. Every grant's token is larger than every
     * earlier one of its name.
     *
     * <p>When it fails: a token was granted twice (the store lost a committed grant in the restart, or computed the
     * token somewhere that does not survive one); a lease stayed valid past its local deadline while the database was
     * down (renewals not retried as transient, or a renewal stuck on a dead connection with the loss waiting for it);
     * a lease was lost although its renewals got through again (a connection failure taken as a loss); a waiter
     * failed during the restart although it had time left (a transient failure ended its wait), or hung (a wait on a
     * dead connection without a bound).
     */
    @Test
    default void required_r9_3_aRestartOfTheDatabaseNeverRepeatsATokenNorHangsHoldersOrWaiters() throws Exception {
        // A first restart with nothing held; a fixture that cannot restart its database aborts the rule here.
        tck().restartDatabase(Duration.ZERO);
        TestTimes env = tck().env();
        Duration bound = env.leaseTime().plus(env.slack());
        LockManager holder = tck().manager();
        LockManager contender = tck().manager();
        String first = tck().name("restart-waited");
        String second = tck().name("restart-held");
        Grants grants = new Grants();
        Losses losses = new Losses();
        for (int i = 0; i < 2; i++) {
            grants.record(holder.lock(first).tryAcquire().orElseThrow()).release();
        }
        Lease a = losses.watch(grants.record(holder.lock(first).tryAcquire().orElseThrow()));
        Lease b = losses.watch(grants.record(holder.lock(second).tryAcquire().orElseThrow()));
        CompletableFuture<Lease> waiter = CompletableFuture.supplyAsync(
                () -> grants.record(contender.lock(first).acquire(env.patience())));
        awaitAttempts(contender, 1);

        // A short restart: renewals may get through again before the local deadline.
        long began = System.nanoTime();
        tck().restartDatabase(env.leaseTime().dividedBy(4));
        Duration settled = bound.minus(Duration.ofNanos(System.nanoTime() - began));
        if (!settled.isNegative()) {
            await().during(settled)
                    .atMost(settled.plus(env.slack()))
                    .pollInterval(Duration.ofMillis(10))
                    .until(() -> losses.consistent(List.of(a, b), began, bound));
        }
        assertThat(losses.consistent(List.of(a, b), began, bound))
                .as("each lease told at most once, invalid once told, lost within %s of the restart", bound)
                .isTrue();
        for (Lease l : List.of(a, b)) {
            if (losses.told(l) == 0) {
                assertThat(l.isValid())
                        .as("lease %s was not lost, so it must still be valid: its renewals got through", l.name())
                        .isTrue();
                assertThat(holder.inspect(l.name()))
                        .as("the store's holder of %s", l.name())
                        .hasValueSatisfying(info -> {
                            assertThat(info.ownerId()).isEqualTo(holder.ownerId());
                            assertThat(info.token()).isEqualTo(l.token());
                        });
            }
        }
        if (losses.told(a) == 0) {
            assertThat(waiter).as("the waiter waits while the lock is held").isNotDone();
            a.release();
        }
        Lease waited = waiter.get(env.patience().toMillis(), TimeUnit.MILLISECONDS);
        assertThat(waited.token()).isGreaterThan(a.token());
        Lease b2 = losses.told(b) == 0
                ? b
                : losses.watch(grants.record(holder.lock(second).tryAcquire().orElseThrow()));
        Lease w = losses.watch(waited);
        int holderAttempts =
                tck().fixture().faults(holder).map(Faults::tryAcquireCalls).orElse(0);
        CompletableFuture<Lease> secondWaiter = CompletableFuture.supplyAsync(
                () -> grants.record(holder.lock(first).acquire(env.patience())));
        awaitAttempts(holder, holderAttempts + 1);

        // A long restart: down for longer than every lease's local deadline.
        long longBegan = System.nanoTime();
        tck().restartDatabase(bound);
        await().atMost(env.slack())
                .pollInterval(Duration.ofMillis(10))
                .until(() -> losses.told(w) == 1 && losses.told(b2) == 1);
        assertThat(losses.consistent(List.of(w, b2), longBegan, bound))
                .as("every lease lost once, within %s of the restart", bound)
                .isTrue();
        Lease afterward = secondWaiter.get(env.patience().toMillis(), TimeUnit.MILLISECONDS);
        assertThat(afterward.token()).isGreaterThan(w.token());
        Lease other = grants.record(contender.lock(second).acquire(env.patience()));
        assertThat(other.token()).isGreaterThan(b2.token());
        afterward.release();
        other.release();
        grants.assertStrictlyIncreasing();
        assertThat(grants.tokens(first)).hasSize(5);
    }
}
