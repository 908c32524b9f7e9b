package dev.leasehold.lock.spring.boot.actuate;

import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.core.LeaseLockManager;
import dev.leasehold.lock.jdbc.JdbcLockManager;
import dev.leasehold.lock.spring.boot.LeaseholdAutoConfiguration;
import javax.sql.DataSource;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Actuator support for the context's unique (or primary) {@link LockManager}: the {@code leasehold} endpoint, when it is
 * available (enabled and exposed), and the {@code leasehold} health indicator, unless {@code
 * management.health.leasehold.enabled=false}, with the {@link RecentLeaseLosses} listener that tells it of the leases
 * lost within {@code leasehold.actuator.health.lost-window}.
 */
@AutoConfiguration(after = LeaseholdAutoConfiguration.class)
@ConditionalOnBean(LockManager.class)
@EnableConfigurationProperties(LeaseholdActuatorProperties.class)
public final class LeaseholdActuatorAutoConfiguration {

    /** The endpoint, which reads the lease table through a {@code jdbc} manager. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({Endpoint.class, JdbcLockManager.class})
    @ConditionalOnAvailableEndpoint(LeaseholdEndpoint.class)
    static final class EndpointConfiguration {

        @Bean
        @ConditionalOnMissingBean(LeaseholdEndpoint.class)
        LeaseholdEndpoint leaseholdEndpoint(LockManager manager, LeaseholdActuatorProperties properties) {
            JdbcLockManager table = tableOf(manager);
            return properties.getForceRelease().isEnabled()
                    ? new LeaseholdAdminEndpoint(manager, table)
                    : new LeaseholdEndpoint(manager, table);
        }

        /**
         * The {@code jdbc} manager itself, or one of the same table over the manager's DataSource (every table backend
         * keeps its leases there). It is created with the manager's settings, so it never creates a second table.
         */
        private static JdbcLockManager tableOf(LockManager manager) {
            if (manager instanceof JdbcLockManager jdbc) {
                return jdbc;
            }
            if (manager instanceof LeaseLockManager engine) {
                DataSource dataSource = engine.settings().dataSource().orElse(null);
                if (dataSource != null) {
                    return JdbcLockManager.create(dataSource, engine.settings());
                }
            }
            throw new IllegalStateException("the leasehold endpoint lists the lease table, which " + manager
                    + " does not keep over a DataSource: disable the endpoint with"
                    + " management.endpoint.leasehold.access=none, or use a table backend (jdbc, advisory, jpa)"
                    + " with a DataSource");
        }
    }

    /** The health indicator, and the listener that tells it which leases were lost recently. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    @ConditionalOnEnabledHealthIndicator("leasehold")
    static final class HealthConfiguration {

        /**
         * A {@link dev.leasehold.lock.LockListener} bean, so the manager {@link LeaseholdAutoConfiguration} builds
         * reports its losses to it (the manager takes every listener bean, and beans are defined before any is made).
         */
        @Bean
        @ConditionalOnMissingBean(RecentLeaseLosses.class)
        RecentLeaseLosses leaseholdRecentLeaseLosses(LeaseholdActuatorProperties properties) {
            return new RecentLeaseLosses(properties.getHealth().getLostWindow());
        }

        @Bean
        @ConditionalOnMissingBean(name = "leaseholdHealthIndicator")
        LeaseholdHealthIndicator leaseholdHealthIndicator(
                LockManager manager, LeaseholdActuatorProperties properties, RecentLeaseLosses losses) {
            return new LeaseholdHealthIndicator(manager, properties.getHealth().getProbeName(), losses);
        }
    }
}
