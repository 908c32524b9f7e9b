/**
 * Implementation of the {@code advisory} backend: the lease store and its parts (the session with its pinned
 * connection, the keys it holds, the statements, the watchdog and the waiter), the key derivation, the session
 * self-check and connection handling. The classes in this package may change incompatibly in any release and are not
 * supported for use outside Leasehold.
 */
package dev.leasehold.lock.advisory.internal;
