/**
 * The Leasehold Service Provider Interface: what a backend implements. A backend is a {@link
 * dev.leasehold.lock.spi.LockProvider}, found through {@link java.util.ServiceLoader}, that turns {@link
 * dev.leasehold.lock.LockSettings} into a {@link dev.leasehold.lock.LockManager}; most backends do that by implementing
 * the few atomic operations of a {@link dev.leasehold.lock.spi.LeaseStore} and handing it to the engine in {@code
 * lock-core}, which builds the whole user API on them.
 */
package dev.leasehold.lock.spi;
