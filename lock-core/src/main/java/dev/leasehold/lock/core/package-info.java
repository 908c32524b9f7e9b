/**
 * The engine every Leasehold backend shares. A backend hands its {@link dev.leasehold.lock.spi.LeaseStore} and the
 * {@link dev.leasehold.lock.LockSettings} to {@link dev.leasehold.lock.core.LeaseLockManager#create} and gets a
 * complete {@link dev.leasehold.lock.LockManager}.
 */
package dev.leasehold.lock.core;
