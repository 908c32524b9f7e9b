/**
 * {@link dev.leasehold.lock.spring.Locked @Locked}: Spring bean methods that run under a distributed lock whose name is
 * a SpEL template over their arguments, and {@link dev.leasehold.lock.spring.LockedContext} for the lease of the
 * running method. The auto-configuration in {@code dev.leasehold.lock.spring.boot} registers the post-processor that
 * applies them.
 */
package dev.leasehold.lock.spring;
