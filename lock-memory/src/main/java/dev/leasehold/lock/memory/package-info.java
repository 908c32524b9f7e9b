/**
 * The {@code memory} backend: {@link dev.leasehold.lock.memory.InMemoryLockProvider} makes managers over {@link
 * dev.leasehold.lock.core.memory.InMemoryLeaseStore}, so that an application's unit tests can use Leasehold through
 * {@code Locks.builder()} without a database. For tests only: its locks are seen by this JVM alone.
 */
package dev.leasehold.lock.memory;
