/**
 * Spring Integration over Leasehold: {@link dev.leasehold.lock.spring.integration.LeaseholdLockRegistry}, a {@code
 * LockRegistry} whose {@link java.util.concurrent.locks.Lock}s are leases of a {@link dev.leasehold.lock.LockManager},
 * for {@code LockRegistryLeaderInitiator}, aggregators and every other component that takes a registry.
 */
package dev.leasehold.lock.spring.integration;
