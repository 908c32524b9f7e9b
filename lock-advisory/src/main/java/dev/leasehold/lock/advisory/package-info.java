/**
 * The {@code advisory} backend: PostgreSQL advisory locks plus the lease table of {@code lock-table}. A crashed
 * holder's lock passes on as soon as its database session ends, waiters block in the database instead of polling, and
 * the lease row keeps fencing tokens, expiry by the database clock and what {@code inspect} shows. Build it with {@code
 * Locks.builder().dataSource(ds).backend("advisory")} or directly with {@link
 * dev.leasehold.lock.advisory.AdvisoryLockManager#create}; {@link dev.leasehold.lock.advisory.AdvisoryXactLocks} takes
 * transaction-scoped advisory locks for code already in a transaction.
 */
package dev.leasehold.lock.advisory;
