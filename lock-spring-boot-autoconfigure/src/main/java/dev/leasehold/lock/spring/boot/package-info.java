/**
 * Spring Boot auto-configuration for Leasehold: {@link dev.leasehold.lock.spring.boot.LeaseholdAutoConfiguration}
 * builds one {@link dev.leasehold.lock.LockManager} from the {@code leasehold.*} properties ({@link
 * dev.leasehold.lock.spring.boot.LeaseholdProperties}), applies {@link dev.leasehold.lock.spring.Locked @Locked}, and
 * shuts both down gracefully with the application context.
 */
package dev.leasehold.lock.spring.boot;
