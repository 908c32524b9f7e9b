package dev.leasehold.lock.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.leasehold.lock.DistributedLock;
import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.LockOptions;
import dev.leasehold.lock.LockSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Rules 1.x of SPEC.md: the API contract and bad input. */
public interface ApiContractRules extends TckSuite {

    /**
     * R1.1: bad names are rejected before any store operation. When it fails: the manager's {@code lock(name)} does
     * not check its argument, or checks it only after calling the store (see the call counts of {@link Faults}).
     */
    @Test
    default void required_r1_1_badNamesAreRejectedBeforeTheStore() {
        LockManager manager = tck().manager();
        List<String> bad = Arrays.asList(null, "", "   ", "\t\n", "x".repeat(256), "a\0b", "bad\uD800", "\uDC00x");
        for (String name : bad) {
            assertThatThrownBy(() -> manager.lock(name))
                    .as("lock(%s)", printable(name))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("name");
            assertThatThrownBy(() -> manager.inspect(name))
                    .as("inspect(%s)", printable(name))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("name");
        }
        tck().fixture()
                .faults(manager)
                .ifPresent(f -> assertThat(f.tryAcquireCalls())
                        .as("store calls made for bad names")
                        .isZero());
        String base = tck().name("longest");
        String longest = base + "n".repeat(255 - base.length());
        Lease lease = manager.lock(longest).tryAcquire().orElseThrow();
        assertThat(lease.name()).isEqualTo(longest);
        lease.release();
    }

    private static String printable(String name) {
        return name == null ? "null" : "\"" + name.replace("\0", "\\0") + "\" (" + name.length() + " chars)";
    }

    /**
     * R1.2: bad durations are rejected, naming the argument. When it fails: a duration reaches the store unchecked,
     * or a rejected {@code extend} changed the lease.
     */
    @Test
    default void required_r1_2_badDurationsAreRejected() {
        for (Duration bad : Arrays.asList(Duration.ZERO, Duration.ofMillis(-1), Duration.ofDays(2))) {
            assertThatThrownBy(() -> LockSettings.builder().leaseTime(bad).build())
                    .as("leaseTime %s", bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("leaseTime");
            assertThatThrownBy(
                            () -> LockSettings.builder().heartbeatInterval(bad).build())
                    .as("heartbeatInterval %s", bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("heartbeatInterval");
            assertThatThrownBy(() -> LockOptions.builder().leaseTime(bad).build())
                    .as("LockOptions leaseTime %s", bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("leaseTime");
        }
        assertThatThrownBy(() -> LockSettings.builder().leaseTime(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("leaseTime");
        assertThatThrownBy(() -> LockSettings.builder()
                        .leaseTime(Duration.ofSeconds(10))
                        .heartbeatInterval(Duration.ofSeconds(10))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("heartbeatInterval");

        LockManager manager = tck().manager();
        String name = tck().name("durations");
        Duration lease = tck().env().leaseTime();
        assertThatThrownBy(() -> manager.lock(
                        name, LockOptions.builder().heartbeatInterval(lease).build()))
                .as("a per-lock heartbeat not shorter than the manager's lease time")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("heartbeatInterval");
        DistributedLock lock = manager.lock(name);
        for (Duration bad : Arrays.asList(null, Duration.ofMillis(-1), Duration.ofDays(2))) {
            assertThatThrownBy(() -> lock.acquire(bad))
                    .as("acquire(%s)", bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("maxWait");
        }
        assertThat(lock.isHeld()).isFalse();

        Lease held = lock.tryAcquire().orElseThrow();
        long token = held.token();
        for (Duration bad : Arrays.asList(null, Duration.ZERO, Duration.ofMillis(-1), Duration.ofDays(2))) {
            assertThatThrownBy(() -> held.extend(bad))
                    .as("extend(%s)", bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("leaseTime");
        }
        assertThat(held.isValid()).isTrue();
        assertThat(held.token()).isEqualTo(token);
        assertThat(manager.inspect(name)).map(LockInfo::token).contains(token);
        held.release();
    }

    /**
     * R1.3: null listeners and callbacks are rejected. When it fails: {@code onLost}, {@code withLock} or {@code
     * runLocked} accept null, or {@code withLock(null)} acquired the lock before failing.
     */
    @Test
    default void required_r1_3_nullListenersAndCallbacksAreRejected() {
        LockManager manager = tck().manager();
        LockManager other = tck().manager();
        String name = tck().name("null-callbacks");
        DistributedLock lock = manager.lock(name);
        assertThatThrownBy(() -> lock.withLock(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("callback");
        assertThatThrownBy(() -> lock.runLocked(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("callback");
        assertThat(lock.isHeld()).isFalse();
        Lease lease = lock.tryAcquire().orElseThrow();
        assertThatThrownBy(() -> lease.onLost(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("listener");
        assertThat(lease.isValid()).isTrue();
        lease.release();
        other.lock(name).tryAcquire().orElseThrow().release();
    }

    /**
     * R1.4: a lease describes itself. When it fails: the lease's owner id is not the manager's, the token is not
     * positive, or the expiry the store computed is not the lease time after the grant.
     */
    @Test
    default void required_r1_4_aLeaseDescribesItself() {
        LockManager manager = tck().manager();
        String name = tck().name("describes");
        DistributedLock lock = manager.lock(name);
        Lease lease = lock.tryAcquire().orElseThrow();
        assertThat(lease.name()).isEqualTo(name);
        assertThat(lease.ownerId()).isEqualTo(manager.ownerId());
        assertThat(lease.token()).isPositive();
        assertThat(lease.isValid()).isTrue();
        assertThat(lock.isHeld()).isTrue();
        LockInfo info = manager.inspect(name).orElseThrow();
        Duration granted = Duration.between(info.acquiredAt(), info.expiresAt());
        assertThat(granted)
                .as("expiresAt - acquiredAt by the database clock")
                .isBetween(
                        tck().env().leaseTime(),
                        tck().env().leaseTime().plus(tck().env().slack()));
        lease.release();
    }

    /**
     * R1.5: names with SQL and unusual characters are ordinary names. When it fails: a name is concatenated into SQL
     * instead of bound, or the store's column or comparison changes the text (collation, encoding).
     */
    @Test
    default void required_r1_5_namesWithSqlAndUnicodeAreOrdinaryNames() {
        LockManager manager = tck().manager();
        LockManager other = tck().manager();
        String base = tck().name("odd");
        List<String> names = List.of(
                base + "x'; DROP TABLE distributed_locks; --",
                base + "\"quoted\" %_ *",
                base + "back\\slash",
                base + " ünïcødé 锁 🔒",
                base + "\u00e9" /* é, NFC */,
                base + "e\u0301" /* é, NFD */);
        List<Lease> leases = new ArrayList<>();
        for (String name : names) {
            Lease lease = manager.lock(name).tryAcquire().orElseThrow(() -> new AssertionError("not granted: " + name));
            assertThat(manager.inspect(name)).as("inspect(%s)", name).hasValueSatisfying(info -> {
                assertThat(info.name()).isEqualTo(name);
                assertThat(info.ownerId()).isEqualTo(manager.ownerId());
                assertThat(info.token()).isEqualTo(lease.token());
            });
            leases.add(lease);
        }
        String plain = tck().name("plain");
        other.lock(plain).tryAcquire().orElseThrow().release();
        for (Lease lease : leases) {
            lease.release();
            assertThat(manager.inspect(lease.name())).isEmpty();
        }
    }

    /**
     * R1.6: names are exact. When it fails: the store folds case or trims (a case-insensitive collation, a CHAR
     * column, trailing-space comparison rules); choose a binary collation or VARCHAR.
     */
    @Test
    default void required_r1_6_namesAreCaseSensitiveAndUntrimmed() {
        LockManager manager = tck().manager();
        String base = tck().name("exact");
        Lease upper = manager.lock(base + "Lock").tryAcquire().orElseThrow();
        Lease lower = manager.lock(base + "lock")
                .tryAcquire()
                .orElseThrow(() -> new AssertionError("'lock' was taken as 'Lock'"));
        Lease spaced = manager.lock(base + "lock ")
                .tryAcquire()
                .orElseThrow(() -> new AssertionError("'lock ' was taken as 'lock'"));
        assertThat(manager.inspect(base + "lock ")).map(LockInfo::name).contains(base + "lock ");
        upper.release();
        lower.release();
        spaced.release();
    }

    /**
     * R1.7: inspect shows the holder and nothing else. When it fails: inspect returns released or expired rows (it
     * checks that the row has an owner but not its expiry by the store's clock), or a token or expiry other than the
     * lease's.
     */
    @Test
    default void required_r1_7_inspectShowsTheHolderOnly() {
        LockManager manager = tck().manager();
        LockManager observer = tck().manager();
        String name = tck().name("inspect");
        assertThat(observer.inspect(name)).as("never held").isEmpty();
        Lease lease = manager.lock(name).tryAcquire().orElseThrow();
        LockInfo info = observer.inspect(name).orElseThrow();
        assertThat(info.name()).isEqualTo(name);
        assertThat(info.ownerId()).isEqualTo(manager.ownerId());
        assertThat(info.token()).isEqualTo(lease.token());
        assertThat(info.expiresAt()).isAfter(info.acquiredAt());
        lease.release();
        assertThat(observer.inspect(name)).as("released").isEmpty();

        Duration brief = tck().env().leaseTime().dividedBy(4);
        LockManager crashed = tck().manager(s -> s.leaseTime(brief).heartbeatInterval(brief.dividedBy(3)));
        String expiring = tck().name("inspect-expired");
        crashed.lock(expiring).tryAcquire().orElseThrow();
        assertThat(observer.inspect(expiring)).as("held").isPresent();
        tck().crash(crashed);
        await("inspect of an expired lease nobody took over to show nothing")
                .atMost(brief.plus(tck().env().slack()))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> observer.inspect(expiring).isEmpty());
    }

    /** A checked exception for R1.8. */
    final class CallbackFailure extends Exception {
        private static final long serialVersionUID = 1L;

        CallbackFailure(String message) {
            super(message);
        }
    }

    /**
     * R1.8: withLock and runLocked release however the callback ends. When it fails: the lock stays held after the
     * callback threw, or the callback's exception was wrapped or replaced.
     */
    @Test
    default void required_r1_8_withLockReleasesAndIsExceptionTransparent() throws Exception {
        LockManager manager = tck().manager();
        LockManager other = tck().manager();
        String name = tck().name("with-lock");
        DistributedLock lock = manager.lock(name);
        String result = lock.withLock(lease -> {
            assertThat(lease.isValid()).isTrue();
            assertThat(other.lock(name).tryAcquire())
                    .as("held during the callback")
                    .isEmpty();
            return "done:" + lease.token();
        });
        assertThat(result).startsWith("done:");
        assertThat(lock.isHeld()).isFalse();

        CallbackFailure failure = new CallbackFailure("boom");
        assertThatThrownBy(() -> lock.withLock(lease -> {
                    throw failure;
                }))
                .isSameAs(failure);
        assertThat(lock.isHeld()).isFalse();

        AtomicBoolean ran = new AtomicBoolean();
        lock.runLocked(lease -> ran.set(lease.isValid()));
        assertThat(ran).isTrue();
        IllegalStateException unchecked = new IllegalStateException("unchecked");
        assertThatThrownBy(() -> lock.runLocked(lease -> {
                    throw unchecked;
                }))
                .isSameAs(unchecked);
        other.lock(name).tryAcquire().orElseThrow().release();
    }

    /**
     * R1.9: close releases everything and ends the manager. When it fails: close leaves rows held until they expire,
     * or the manager keeps working after close.
     */
    @Test
    default void required_r1_9_closeReleasesEverythingAndEndsTheManager() {
        LockManager manager = tck().manager();
        LockManager other = tck().manager();
        String a = tck().name("close-a");
        String b = tck().name("close-b");
        DistributedLock lockA = manager.lock(a);
        Lease leaseA = lockA.tryAcquire().orElseThrow();
        Lease leaseB = manager.lock(b).tryAcquire().orElseThrow();
        manager.close();
        assertThat(leaseA.isValid()).isFalse();
        assertThat(leaseB.isValid()).isFalse();
        assertThat(other.lock(a).tryAcquire()).as("%s after close", a).isPresent();
        assertThat(other.lock(b).tryAcquire()).as("%s after close", b).isPresent();
        manager.close();
        assertThatThrownBy(() -> manager.lock(a)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(lockA::acquire).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(lockA::tryAcquire).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> manager.inspect(a)).isInstanceOf(IllegalStateException.class);
    }
}
