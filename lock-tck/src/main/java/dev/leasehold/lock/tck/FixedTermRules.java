package dev.leasehold.lock.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.LockOptions;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Rules 11.x of SPEC.md: fixed-term leases and minimum hold. */
public interface FixedTermRules extends TckSuite {

    /** How far a first grant by another manager may come before the time the rule names: timestamps' rounding. */
    Duration ROUNDING = Duration.ofMillis(10);

    /**
     * R11.1: the heartbeat never renews a fixed-term lease, not even in another lease's batch. When it fails: a grant
     * before the term ended means the store or engine ended the lease early; no grant within the tolerance means the
     * lease was renewed (the heartbeat did not leave it alone, or {@code renewAll} renewed every lease of the owner
     * instead of the ones it was given), or the store's expiry is not the grant's time plus its lease time.
     */
    @Test
    default void required_r11_1_aFixedTermLeaseEndsAtItsTermWhileItsHolderLives() throws InterruptedException {
        Duration leaseTime = tck().env().leaseTime();
        LockManager holder = tck().manager();
        LockManager other = tck().manager();
        String name = tck().name("fixed-term");
        // A renewed lease of the same holder, so that the heartbeat sends batches the fixed-term lease must stay out
        // of.
        Lease renewed = holder.lock(tck().name("renewed")).tryAcquire().orElseThrow();
        long start = System.nanoTime();
        Lease lease = holder.lock(name, LockOptions.builder().fixedTerm().build())
                .tryAcquire()
                .orElseThrow();
        CountDownLatch lost = new CountDownLatch(1);
        lease.onLost(e -> lost.countDown());

        Lease taken = firstGrant(other, name, leaseTime.plus(tck().env().slack()));
        Duration after = Duration.ofNanos(System.nanoTime() - start);
        assertThat(after).as("time from the grant to another manager's grant").isGreaterThan(leaseTime.minus(ROUNDING));
        assertThat(taken.token()).as("the next holder's token").isGreaterThan(lease.token());
        assertThat(lost.await(tck().env().slack().toMillis(), TimeUnit.MILLISECONDS))
                .as("the fixed-term lease's onLost listener ran")
                .isTrue();
        assertThat(lease.isValid()).isFalse();
        assertThat(renewed.isValid()).as("the renewed lease of the same holder").isTrue();
    }

    /**
     * R11.2: {@code extend} of a fixed-term lease moves its end and keeps it fixed-term. When it fails: too early a
     * grant means the store's {@code renew} did not use the lease time it was given; none within the tolerance means
     * the extended lease joined the heartbeat.
     */
    @Test
    default void required_r11_2_extendKeepsALeaseFixedTerm() {
        Duration leaseTime = tck().env().leaseTime();
        Duration extended = leaseTime.multipliedBy(2);
        LockManager holder = tck().manager();
        LockManager other = tck().manager();
        String name = tck().name("fixed-extend");
        Lease lease = holder.lock(name, LockOptions.builder().fixedTerm().build())
                .tryAcquire()
                .orElseThrow();
        pause(leaseTime.dividedBy(2));
        long start = System.nanoTime();
        lease.extend(extended);
        assertThat(lease.isValid()).isTrue();

        Lease taken = firstGrant(other, name, extended.plus(tck().env().slack()));
        Duration after = Duration.ofNanos(System.nanoTime() - start);
        assertThat(after).as("time from the extend to another manager's grant").isGreaterThan(extended.minus(ROUNDING));
        assertThat(taken.token()).isGreaterThan(lease.token());
    }

    /**
     * R11.3: a release with a minimum hold keeps the lock held until {@code acquiredAt + minHold}, for everyone, then
     * frees it; tokens still increase. When it fails: too early a grant means the store's {@code releaseAfter} freed
     * the lock at once or counted the hold from elsewhere; none within the tolerance means the hold was not counted
     * from the grant's time, or the row stays held.
     */
    @Test
    default void required_r11_3_aReleaseWithAMinimumHoldKeepsTheLockHeldUntilTheHoldEnds() {
        Duration hold = tck().env().scaled(Duration.ofSeconds(2));
        LockManager holder = tck().manager();
        LockManager other = tck().manager();
        String name = tck().name("min-hold");
        long start = System.nanoTime();
        Lease lease = holder.lock(name).tryAcquire().orElseThrow();
        pause(tck().env().scaled(Duration.ofMillis(100)));
        lease.release(hold);
        assertThat(lease.isValid()).isFalse();
        assertThat(holder.lock(name).tryAcquire())
                .as("a grant to the releasing manager during the hold")
                .isEmpty();
        assertThat(holder.lock(name).isHeld()).isFalse();

        Lease taken = firstGrant(other, name, hold.plus(tck().env().slack()));
        Duration after = Duration.ofNanos(System.nanoTime() - start);
        assertThat(after).as("time from the grant to the next grant").isGreaterThan(hold.minus(ROUNDING));
        assertThat(taken.token()).as("the next holder's token").isGreaterThan(lease.token());
        lease.release(hold); // releasing twice does nothing
    }

    /**
     * R11.4: a lock whose options set a minimum hold keeps it when its manager closes. When it fails: the manager's
     * {@code close()} released the lease without its hold, or the hold lived in something the close ended (a session,
     * a connection) instead of the store's row.
     */
    @Test
    default void required_r11_4_closingTheManagerKeepsTheMinimumHold() {
        Duration hold = tck().env().scaled(Duration.ofSeconds(2));
        LockManager holder = tck().manager();
        LockManager other = tck().manager();
        String name = tck().name("min-hold-close");
        long start = System.nanoTime();
        Lease lease = holder.lock(name, LockOptions.builder().minHold(hold).build())
                .tryAcquire()
                .orElseThrow();
        pause(tck().env().scaled(Duration.ofMillis(100)));
        holder.close();
        assertThat(lease.isValid()).isFalse();

        Lease taken = firstGrant(other, name, hold.plus(tck().env().slack()));
        Duration after = Duration.ofNanos(System.nanoTime() - start);
        assertThat(after).as("time from the grant to the next grant").isGreaterThan(hold.minus(ROUNDING));
        assertThat(taken.token()).isGreaterThan(lease.token());
    }

    /**
     * R11.5: a minimum hold shorter than the time already held frees the lock at once. When it fails: the store
     * counts the hold from the release instead of the grant, or keeps the lock held until its lease expiry.
     */
    @Test
    default void required_r11_5_aHoldAlreadyOverFreesAtOnce() {
        LockManager holder = tck().manager();
        LockManager other = tck().manager();
        String name = tck().name("hold-over");
        Lease lease = holder.lock(name).tryAcquire().orElseThrow();
        pause(tck().env().scaled(Duration.ofMillis(300)));
        lease.release(tck().env().scaled(Duration.ofMillis(100)));
        Optional<Lease> next = other.lock(name).tryAcquire();
        assertThat(next).as("a grant right after a release whose hold was over").isPresent();
        assertThat(next.get().token()).isGreaterThan(lease.token());
    }

    /**
     * R11.6: {@code acquiredAt} is the store's time of the grant. When it fails: the store reports a time it does not
     * keep (inspect disagrees), or does not set it on each grant (a later grant reports an earlier one), or the expiry
     * is not the grant's time plus the lease time.
     */
    @Test
    default void required_r11_6_acquiredAtIsTheStoresTimeOfTheGrant() {
        Duration leaseTime = tck().env().leaseTime();
        Duration exact = tck().env().scaled(Duration.ofMillis(20));
        LockManager first = tck().manager();
        LockManager second = tck().manager();
        String name = tck().name("acquired-at");
        Lease lease = first.lock(name).tryAcquire().orElseThrow();
        LockInfo info = first.inspect(name).orElseThrow();
        assertThat(lease.acquiredAt())
                .as("the lease's acquiredAt against inspect")
                .isEqualTo(info.acquiredAt());
        assertThat(Duration.between(lease.acquiredAt(), lease.expiresAt()))
                .as("expiry minus acquiredAt of a grant")
                .isBetween(leaseTime.minus(exact), leaseTime.plus(exact));
        pause(tck().env().scaled(Duration.ofMillis(50)));
        lease.release();
        Lease next = second.lock(name).tryAcquire().orElseThrow();
        assertThat(next.acquiredAt()).as("a later grant's acquiredAt").isAfter(lease.acquiredAt());
        assertThat(second.inspect(name).orElseThrow().acquiredAt()).isEqualTo(next.acquiredAt());
        next.release();
    }

    /**
     * R11.7: a fixed-term lease may last 366 days, and the store keeps that expiry. When it fails: the store caps or
     * overflows long lease times (a column or interval type too small, a cap of one day).
     */
    @Test
    default void required_r11_7_aFixedTermLeaseOf366DaysIsKept() {
        Duration year = Duration.ofDays(366);
        LockManager holder = tck().manager();
        LockManager other = tck().manager();
        String name = tck().name("year");
        Lease lease = holder.lock(
                        name, LockOptions.builder().fixedTerm().leaseTime(year).build())
                .tryAcquire()
                .orElseThrow();
        LockInfo info = holder.inspect(name).orElseThrow();
        assertThat(Duration.between(info.acquiredAt(), info.expiresAt()))
                .as("the expiry inspect shows, from the grant")
                .isBetween(year.minusMillis(20), year.plusMillis(20));
        assertThat(lease.expiresAt()).isEqualTo(info.expiresAt());
        assertThat(other.lock(name).tryAcquire()).isEmpty();
        lease.release();
        assertThat(other.lock(name).tryAcquire()).isPresent();
    }

    /** Waits until {@code manager} is granted {@code name}, trying every 10 ms, at most {@code within}. */
    private static Lease firstGrant(LockManager manager, String name, Duration within) {
        AtomicReference<Lease> taken = new AtomicReference<>();
        await().atMost(within).pollInterval(Duration.ofMillis(10)).until(() -> {
            Optional<Lease> got = manager.lock(name).tryAcquire();
            got.ifPresent(taken::set);
            return got.isPresent();
        });
        return taken.get();
    }

    /** Lets {@code time} pass by the JVM's monotonic clock: the rules release a lease that long after its grant. */
    private static void pause(Duration time) {
        await().pollDelay(time).atMost(time.plusSeconds(5)).until(() -> true);
    }
}
