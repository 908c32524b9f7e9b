/**
 * A ShedLock {@link net.javacrumbs.shedlock.core.LockProvider} over any Leasehold {@link dev.leasehold.lock.LockManager}:
 * {@link dev.leasehold.lock.shedlock.LeaseholdLockProvider} is the one bean a ShedLock application replaces, and
 * {@link dev.leasehold.lock.shedlock.LeaseholdLocks} gives the running job its lease and fencing token.
 */
package dev.leasehold.lock.shedlock;
