package dev.leasehold.lock.spring.boot;

import dev.leasehold.lock.LockListener;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.spring.LockedAnnotationBeanPostProcessor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Role;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

/**
 * Auto-configuration of Leasehold: with a DataSource, an EntityManagerFactory or a Jdbi bean in the context, one
 * {@link LockManager} built from the {@code leasehold.*} properties, unless the application defines its own; {@link
 * dev.leasehold.lock.spring.Locked @Locked} methods; and {@link LeaseholdLifecycle}, which drains and closes the
 * managers before the context destroys its beans. {@code leasehold.enabled=false} turns all of it off.
 */
@AutoConfiguration(
        afterName = {
            "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
            "org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration"
        })
@ConditionalOnBooleanProperty(name = "leasehold.enabled", matchIfMissing = true)
@EnableConfigurationProperties(LeaseholdProperties.class)
public final class LeaseholdAutoConfiguration {

    private static final String EMF = "jakarta.persistence.EntityManagerFactory";
    private static final String JDBI = "org.jdbi.v3.core.Jdbi";

    /**
     * The manager, over the application's unique (or primary) DataSource, EntityManagerFactory and Jdbi, telling the
     * context's {@link LockListener} beans (metrics, for one) of its events.
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(LockManager.class)
    @Conditional(OnLockResourceCondition.class)
    LockManager leaseholdLockManager(
            LeaseholdProperties properties,
            Environment environment,
            ListableBeanFactory beanFactory,
            ObjectProvider<LockListener> listeners) {
        List<Object> resources = new ArrayList<>();
        addUnique(beanFactory, DataSource.class, resources);
        addUnique(beanFactory, EMF, resources);
        addUnique(beanFactory, JDBI, resources);
        return PropertiesLockManagerFactory.create(
                properties, environment, resources, listeners.orderedStream().toList());
    }

    /**
     * Applies {@code @Locked}. Static, as post-processors must be, and given the manager lazily so that no bean is
     * created early for it.
     */
    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    static LockedAnnotationBeanPostProcessor leaseholdLockedAnnotationBeanPostProcessor(
            ObjectProvider<LockManager> managers, Environment environment) {
        Duration waitDelay = Binder.get(environment)
                .bind("leasehold.retry.delay", Duration.class)
                .orElse(Duration.ofMillis(100));
        return new LockedAnnotationBeanPostProcessor(
                () -> {
                    LockManager manager = managers.getIfUnique();
                    if (manager == null) {
                        throw new IllegalStateException("a @Locked method needs exactly one LockManager bean (or one"
                                + " marked @Primary); the context has "
                                + (managers.stream().findAny().isPresent()
                                        ? "several"
                                        : "none: give it a DataSource" + " or define a LockManager bean"));
                    }
                    return manager;
                },
                waitDelay);
    }

    /** Drains and closes every {@link LockManager} of the context when it closes. */
    @Bean
    @ConditionalOnBean(LockManager.class)
    LeaseholdLifecycle leaseholdLifecycle(
            ObjectProvider<LockManager> managers, ObjectProvider<LockedAnnotationBeanPostProcessor> locked) {
        return new LeaseholdLifecycle(managers.orderedStream().toList(), locked.getIfUnique());
    }

    private static void addUnique(ListableBeanFactory beanFactory, String className, List<Object> into) {
        ClassLoader loader = LeaseholdAutoConfiguration.class.getClassLoader();
        if (ClassUtils.isPresent(className, loader)) {
            addUnique(beanFactory, ClassUtils.resolveClassName(className, loader), into);
        }
    }

    private static void addUnique(ListableBeanFactory beanFactory, Class<?> type, List<Object> into) {
        Object bean = beanFactory.getBeanProvider(type).getIfUnique();
        if (bean != null) {
            into.add(bean);
        }
    }
}
