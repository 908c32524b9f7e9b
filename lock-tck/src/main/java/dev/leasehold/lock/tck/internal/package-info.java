/**
 * Implementation details of the TCK (fault-injecting store wrappers). The classes in this package may change
 * incompatibly in any release and are not supported for use outside Leasehold.
 */
package dev.leasehold.lock.tck.internal;
