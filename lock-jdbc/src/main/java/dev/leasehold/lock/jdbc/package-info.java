/**
 * The {@code jdbc} backend: locks kept as leases in the table {@code {schema}.{prefix}distributed_locks} over JDBC,
 * for PostgreSQL, H2 and MariaDB/MySQL. Build it with {@code Locks.builder().dataSource(ds)} (or {@code .jdbi(jdbi)})
 * or directly with {@link dev.leasehold.lock.jdbc.JdbcLockManager#create}; {@link
 * dev.leasehold.lock.jdbc.JdbcLockManager#verifyHeld} checks a lease inside the caller's own transaction.
 */
package dev.leasehold.lock.jdbc;
