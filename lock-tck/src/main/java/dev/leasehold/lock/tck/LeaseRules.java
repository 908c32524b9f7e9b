package dev.leasehold.lock.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.LockManager;
import java.time.Duration;
import java.time.Instant;
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
}
