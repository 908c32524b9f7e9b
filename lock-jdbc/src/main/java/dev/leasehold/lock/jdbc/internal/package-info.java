/**
 * Implementation of the {@code jdbc} backend: the lease stores of each dialect, table set-up and PostgreSQL
 * notifications. Shared with the {@code advisory} backend, which keeps the same lease rows. The classes in this package
 * may change incompatibly in any release and are not supported for use outside Leasehold.
 */
package dev.leasehold.lock.jdbc.internal;
