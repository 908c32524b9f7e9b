package dev.leasehold.lock.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leasehold.lock.Lease;
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

/** Rules 4.x of SPEC.md: leases, heartbeat, extension and expiry. */
public interface LeaseRules extends TckSuite {

    /**
     * R4.1: the heartbeat keeps a lease alive. When it fails: renewals do not reach the store, renew the wrong row,
     * or do not move the expiry; or the local deadline is not moved by a successful renewal.
     */
    @Test
    default void required_r4_1_theHeartbeatKeepsALeaseAlive() {
        LockManager holder = tck().manager();
        LockManager other = tck().manager();
        String name = tck().name("heartbeat");
        Lease lease = holder.lock(name).tryAcquire().orElseThrow();
        Instant firstExpiry = lease.expiresAt();
        Duration span = tck().env().leaseTime().multipliedBy(3);
        await().during(span)
                .atMost(span.plus(tck().env().slack()))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> lease.isValid() && other.lock(name).tryAcquire().isEmpty());
        assertThat(lease.expiresAt()).isAfter(firstExpiry.plus(tck().env().leaseTime()));
        assertThat(holder.inspect(name)).map(LockInfo::ownerId).contains(holder.ownerId());
        lease.release();
    }

    /**
     * R4.2: extend moves the expiry by the database clock. When it fails: extend does not pass its lease time to the
     * store, or adds it to the old expiry instead of the current time.
     */
    @Test
    default void required_r4_2_extendMovesTheExpiry() {
        LockManager holder = tck().manager();
        String name = tck().name("extend");
        Lease lease = holder.lock(name).tryAcquire().orElseThrow();
        Instant acquiredAt = holder.inspect(name).orElseThrow().acquiredAt();
        Duration longer = tck().env().leaseTime().multipliedBy(3);
        lease.extend(longer);
        LockInfo info = holder.inspect(name).orElseThrow();
        assertThat(Duration.between(acquiredAt, info.expiresAt()))
                .as("expiry after extend, from the grant")
                .isBetween(longer, longer.plus(tck().env().slack()));
        assertThat(lease.expiresAt()).isEqualTo(info.expiresAt());
        assertThat(info.token()).isEqualTo(lease.token());
        assertThat(lease.isValid()).isTrue();
        assertThat(lease.validFor()).isGreaterThan(tck().env().leaseTime());
        lease.release();
    }

    /** R4.3: validFor is bounded by the lease time. When it fails: the local deadline is computed wrongly. */
    @Test
    default void required_r4_3_validForIsBoundedByTheLeaseTime() {
        LockManager holder = tck().manager();
        Lease lease = holder.lock(tck().name("valid-for")).tryAcquire().orElseThrow();
        assertThat(lease.validFor())
                .isPositive()
                .isLessThanOrEqualTo(tck().env().leaseTime());
        lease.release();
        assertThat(lease.validFor()).isZero();
        assertThat(lease.isValid()).isFalse();
    }

    /**
     * R4.4: the lease reports the database's expiry. When it fails: the grant's expiry is computed on the client, or
     * differs from what the store keeps (precision or time zone conversions).
     */
    @Test
    default void required_r4_4_theLeaseReportsTheStoresExpiry() {
        Duration lease = tck().env().leaseTime().multipliedBy(10);
        LockManager holder = tck().manager(s -> s.leaseTime(lease).heartbeatInterval(lease.dividedBy(2)));
        String name = tck().name("expiry");
        Lease held = holder.lock(name).tryAcquire().orElseThrow();
        assertThat(holder.inspect(name)).map(LockInfo::expiresAt).contains(held.expiresAt());
        held.release();
    }

    /**
     * R4.5: the store keeps lease times exactly, whole seconds or not. When it fails: the lease time reaches the store
     * cut to whole seconds or milliseconds (an interval built from {@code getSeconds()}, a column of whole seconds),
     * scaled, or, for a renewal, taken from the grant instead of the call; look at which of grant, renew and renewAll
     * is off, and by how much.
     */
    @Test
    default void required_r4_5_leaseTimesAreKeptExactly() throws Exception {
        Duration base = tck().env().leaseTime();
        Duration granted = notWholeSeconds(base.multipliedBy(137).dividedBy(100).plusMillis(130));
        Duration renewed = notWholeSeconds(base.multipliedBy(161).dividedBy(100).plusMillis(70));
        Duration renewedAll =
                notWholeSeconds(base.multipliedBy(119).dividedBy(100).plusMillis(290));
        LockManager manager = tck().manager();
        LeaseStore store = tck().storeOf(manager);
        String owner = manager.ownerId();
        String name = tck().name("exact-lease");

        StoreTimes.Call grantCall = StoreTimes.Call.start();
        LeaseGrant grant = store.tryAcquire(name, owner, granted).orElseThrow();
        grantCall = grantCall.end();
        LockInfo info = StoreTimes.holder(store, name);
        assertThat(Duration.between(info.acquiredAt(), grant.expiresAt()))
                .as("the grant's expiry after its acquiredAt, for a lease of %s", granted)
                .isBetween(granted.minus(StoreTimes.tolerance(tck())), granted.plus(StoreTimes.tolerance(tck())));

        StoreTimes.Call renewCall = StoreTimes.Call.start();
        Instant afterRenew = store.renew(name, owner, grant.token(), renewed).orElseThrow();
        renewCall = renewCall.end();
        StoreTimes.assertExpiryFromStoreNow(
                tck(), "expiry after renew", afterRenew, info.acquiredAt(), grantCall, renewCall, renewed);

        StoreTimes.Call renewAllCall = StoreTimes.Call.start();
        Map<String, Instant> afterRenewAll =
                store.renewAll(owner, List.of(new LeaseKey(name, grant.token())), renewedAll);
        renewAllCall = renewAllCall.end();
        assertThat(afterRenewAll).containsOnlyKeys(name);
        StoreTimes.assertExpiryFromStoreNow(
                tck(),
                "expiry after renewAll",
                afterRenewAll.get(name),
                info.acquiredAt(),
                grantCall,
                renewAllCall,
                renewedAll);
        assertThat(StoreTimes.holder(store, name).expiresAt()).isEqualTo(afterRenewAll.get(name));
        assertThat(store.release(name, owner, grant.token())).isTrue();
    }

    /** {@code d}, moved by 400 ms if needed so that it is at least 200 ms away from a whole number of seconds. */
    private static Duration notWholeSeconds(Duration d) {
        long millis = d.toMillisPart();
        return millis < 200 || millis > 800 ? d.plusMillis(400) : d;
    }
}
