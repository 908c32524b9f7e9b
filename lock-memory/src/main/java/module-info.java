/**
 * The {@code memory} backend of Leasehold, for tests: managers over the in-memory reference store of lock-core, found
 * through ServiceLoader as {@code Locks.builder().backend("memory")}.
 */
module dev.leasehold.lock.memory {
    requires transitive dev.leasehold.lock.core;

    exports dev.leasehold.lock.memory;

    provides dev.leasehold.lock.spi.LockProvider with
            dev.leasehold.lock.memory.InMemoryLockProvider;
}
