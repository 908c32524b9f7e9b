package dev.leasehold.lock.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.leasehold.lock.LockInfo;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@link ForwardingLeaseStore} passes every operation of {@link LeaseStore}, defaults included, to its delegate. */
class ForwardingLeaseStoreTest {

    /** Records each call and answers with values no default method would produce. */
    private static final class Recording implements LeaseStore {
        final List<String> calls = new ArrayList<>();
        static final Instant EXPIRY = Instant.parse("2030-01-01T00:00:00Z");

        @Override
        public Optional<LeaseGrant> tryAcquire(String name, String owner, Duration leaseTime) {
            calls.add("tryAcquire " + name);
            return Optional.of(new LeaseGrant(7, EXPIRY, EXPIRY));
        }

        @Override
        public Optional<Instant> renew(String name, String owner, long token, Duration leaseTime) {
            calls.add("renew " + name);
            return Optional.of(EXPIRY);
        }

        @Override
        public Map<String, Instant> renewAll(String owner, Collection<LeaseKey> leases, Duration leaseTime) {
            calls.add("renewAll " + leases.size());
            return Map.of("batched", EXPIRY);
        }

        @Override
        public boolean release(String name, String owner, long token) {
            calls.add("release " + name);
            return true;
        }

        @Override
        public boolean releaseAfter(String name, String owner, long token, Duration minHold) {
            calls.add("releaseAfter " + name + " " + minHold);
            return true;
        }

        @Override
        public long purgeIdle(Duration idleFor) {
            calls.add("purgeIdle " + idleFor);
            return 3;
        }

        @Override
        public Optional<LockInfo> inspect(String name) {
            calls.add("inspect " + name);
            return Optional.of(new LockInfo(name, "o", 7, EXPIRY, EXPIRY));
        }

        @Override
        public AwaitOutcome awaitChange(String name, Duration maxWait) {
            calls.add("awaitChange " + name);
            return AwaitOutcome.CHANGED;
        }

        @Override
        public void attach(LeaseStoreEvents events) {
            calls.add("attach");
        }

        @Override
        public void close() {
            calls.add("close");
        }
    }

    @Test
    void everyMethodOfLeaseStoreIsOverridden() {
        for (Method method : LeaseStore.class.getMethods()) {
            if (Modifier.isStatic(method.getModifiers())) {
                continue;
            }
            assertThat(method.getDeclaringClass())
                    .as("%s as ForwardingLeaseStore sees it", method.getName())
                    .isEqualTo(LeaseStore.class);
            Method forwarding;
            try {
                forwarding = ForwardingLeaseStore.class.getMethod(method.getName(), method.getParameterTypes());
            } catch (NoSuchMethodException e) {
                throw new AssertionError(e);
            }
            assertThat(forwarding.getDeclaringClass())
                    .as("declaring class of %s", method.getName())
                    .isEqualTo(ForwardingLeaseStore.class);
        }
    }

    @Test
    void everyCallReachesTheDelegateWithItsAnswer() throws Exception {
        Recording delegate = new Recording();
        ForwardingLeaseStore store = new ForwardingLeaseStore(delegate);
        Duration lease = Duration.ofSeconds(1);

        assertThat(store.delegate()).isSameAs(delegate);
        assertThat(store.tryAcquire("a", "o", lease)).map(LeaseGrant::token).contains(7L);
        assertThat(store.renew("a", "o", 7, lease)).contains(Recording.EXPIRY);
        assertThat(store.renewAll("o", List.of(new LeaseKey("a", 7), new LeaseKey("b", 8)), lease))
                .containsOnlyKeys("batched");
        assertThat(store.release("a", "o", 7)).isTrue();
        assertThat(store.releaseAfter("a", "o", 7, lease)).isTrue();
        assertThat(store.purgeIdle(lease)).isEqualTo(3);
        assertThat(store.inspect("a")).map(LockInfo::token).contains(7L);
        assertThat(store.awaitChange("a", lease)).isEqualTo(AwaitOutcome.CHANGED);
        store.attach((reason, cause) -> {});
        store.close();
        assertThat(delegate.calls)
                .containsExactly(
                        "tryAcquire a",
                        "renew a",
                        "renewAll 2",
                        "release a",
                        "releaseAfter a PT1S",
                        "purgeIdle PT1S",
                        "inspect a",
                        "awaitChange a",
                        "attach",
                        "close");
    }

    @Test
    void aNullDelegateIsRejected() {
        assertThatThrownBy(() -> new ForwardingLeaseStore(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("delegate");
    }
}
