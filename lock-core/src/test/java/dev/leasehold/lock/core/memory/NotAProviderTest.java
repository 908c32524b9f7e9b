package dev.leasehold.lock.core.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockConfigurationException;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.Locks;
import dev.leasehold.lock.core.LeaseLockManager;
import org.junit.jupiter.api.Test;

/**
 * lock-core offers the in-memory store to whoever builds a manager over it, and registers no backend: with lock-core
 * alone on the class path, {@code Locks.builder()} finds none, so an application never gets locks that only its JVM
 * sees without asking for them (the {@code memory} backend is the module lock-memory).
 */
class NotAProviderTest {

    @Test
    void lockCoreAloneRegistersNoBackend() {
        assertThat(Locks.describeProviders(getClass().getClassLoader())).isEmpty();
        assertThatThrownBy(() -> Locks.builder().build())
                .isInstanceOf(LockConfigurationException.class)
                .hasMessageContaining("no Leasehold backend");
    }

    @Test
    void aManagerBuiltOverTheStoreDirectlyWorks() {
        InMemoryLeaseStore store = new InMemoryLeaseStore();
        try (LeaseLockManager manager =
                new LeaseLockManager(store, LockSettings.builder().build())) {
            Lease lease = manager.lock("direct").tryAcquire().orElseThrow();
            assertThat(store.inspect("direct")).hasValueSatisfying(info -> {
                assertThat(info.ownerId()).isEqualTo(manager.ownerId());
                assertThat(info.token()).isEqualTo(lease.token());
            });
            lease.release();
            assertThat(store.inspect("direct")).isEmpty();
        }
    }
}
