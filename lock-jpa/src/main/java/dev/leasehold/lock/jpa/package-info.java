/**
 * The {@code jpa} backend: leases kept as {@link dev.leasehold.lock.jpa.LeaseRow} entities of the application's own
 * EntityManagerFactory, read with JPA pessimistic locks in short transactions of their own, on the lease table lock-jdbc
 * uses too. Build it with {@code Locks.builder().entityManagerFactory(emf)} or {@link
 * dev.leasehold.lock.jpa.JpaLockManager#create}; {@link dev.leasehold.lock.jpa.JpaLockManager#verifyHeld} checks a
 * lease inside the caller's transaction, and {@link dev.leasehold.lock.jpa.JpaRowLocks} locks a named row until the
 * caller's transaction ends.
 */
package dev.leasehold.lock.jpa;
