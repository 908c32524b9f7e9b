/**
 * Implementation of the Leasehold engine: leases, the heartbeat scheduler, retry policies. The classes in this package
 * may change incompatibly in any release and are not supported for use outside Leasehold.
 */
package dev.leasehold.lock.core.internal;
