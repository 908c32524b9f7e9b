/**
 * Implementation details of the Leasehold API: argument checks and provider selection. The classes in this package may
 * change incompatibly in any release and are not supported for use outside Leasehold.
 */
package dev.leasehold.lock.internal;
