/**
 * Micrometer metrics for Leasehold: {@link dev.leasehold.lock.micrometer.LeaseholdMetrics} is a {@link
 * dev.leasehold.lock.LockListener} that records the engine's events as meters named {@code leasehold.*}, with or
 * without Spring.
 */
package dev.leasehold.lock.micrometer;
