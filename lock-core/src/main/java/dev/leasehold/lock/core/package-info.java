/**
 * For backend authors: {@link dev.leasehold.lock.core.LeaseLockManager} turns a {@link
 * dev.leasehold.lock.spi.LeaseStore} and the {@link dev.leasehold.lock.LockSettings} into a complete {@link
 * dev.leasehold.lock.LockManager}, directly or as the base of the backend's own manager type. Which database failures
 * the engine retries is {@link dev.leasehold.lock.spi.SqlFailures}.
 */
package dev.leasehold.lock.core;
