/**
 * Spring Boot Actuator support for Leasehold: the {@code leasehold} endpoint ({@link
 * dev.leasehold.lock.spring.boot.actuate.LeaseholdEndpoint}), which lists the locks held now by database time, shows one
 * and, when enabled, frees one; and the {@code leasehold} health indicator ({@link
 * dev.leasehold.lock.spring.boot.actuate.LeaseholdHealthIndicator}). Applied by {@link
 * dev.leasehold.lock.spring.boot.actuate.LeaseholdActuatorAutoConfiguration} when the actuator is on the class path.
 */
package dev.leasehold.lock.spring.boot.actuate;
