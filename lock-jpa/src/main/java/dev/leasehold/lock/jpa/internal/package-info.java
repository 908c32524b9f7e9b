/**
 * The {@code jpa} backend's internals: the lease store, Hibernate's mapping contributor and the native SQL of each
 * database. No compatibility promise.
 */
package dev.leasehold.lock.jpa.internal;
