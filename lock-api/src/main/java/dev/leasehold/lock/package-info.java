/**
 * The user API of Leasehold: distributed locks kept in a relational database. Build a {@link
 * dev.leasehold.lock.LockManager} with {@link dev.leasehold.lock.Locks#builder()}, ask it for a {@link
 * dev.leasehold.lock.DistributedLock} by name, and hold a {@link dev.leasehold.lock.Lease} that renews itself, carries a
 * fencing token and tells its holder when it is lost. Contention is a value ({@code tryAcquire} returns empty), misuse
 * and failure are exceptions, all of them subclasses of {@link dev.leasehold.lock.LockException}.
 */
package dev.leasehold.lock;
