/**
 * The in-memory reference store, {@link dev.leasehold.lock.core.memory.InMemoryLeaseStore}: the smallest {@link
 * dev.leasehold.lock.spi.LeaseStore} that keeps the whole contract, for tests of the engine, of the TCK and of
 * applications. Nothing here is registered with ServiceLoader; the {@code memory} backend that is lives in {@code
 * lock-memory}.
 */
package dev.leasehold.lock.core.memory;
