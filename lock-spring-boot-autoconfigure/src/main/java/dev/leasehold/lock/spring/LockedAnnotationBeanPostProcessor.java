package dev.leasehold.lock.spring;

import dev.leasehold.lock.LockManager;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.springframework.aop.framework.autoproxy.AbstractBeanFactoryAwareAdvisingPostProcessor;
import org.springframework.aop.support.AopUtils;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanInitializationException;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;

/**
 * Proxies beans that have {@link Locked} methods so that those methods run under their locks, and checks every such
 * method when its bean is created: an invalid annotation (a name that cannot be parsed or names an unknown parameter, a
 * duration without a unit, {@code SKIP} on a method returning a primitive) stops the application with a {@link
 * BeanInitializationException} naming the bean, the method and the attribute.
 *
 * <p>Its advice goes before the advisors a bean already has, so that the lock is taken before, and released after,
 * what other advice (a transaction, say) does. The {@link LockManager} is looked up at the first call, not when beans
 * are created.
 *
 * <p>This class is thread-safe once configured.
 */
public class LockedAnnotationBeanPostProcessor extends AbstractBeanFactoryAwareAdvisingPostProcessor {

    private static final long serialVersionUID = 1L;

    private final transient LockedMethodInterceptor interceptor;

    /**
     * A post-processor whose calls use the manager {@code manager} supplies.
     *
     * @param waitDelay the delay between tries of an {@link Locked.OnHeld#WAIT} call that sets {@code maxWait}
     */
    public LockedAnnotationBeanPostProcessor(Supplier<LockManager> manager, Duration waitDelay) {
        this.interceptor = new LockedMethodInterceptor(Objects.requireNonNull(manager, "manager"), waitDelay);
        this.advisor = new DefaultPointcutAdvisor(
                // Annotations on interface and superclass methods count too, as AnnotatedElementUtils finds them.
                new AnnotationMatchingPointcut(null, Locked.class, true), interceptor);
        setBeforeExistingAdvisors(true);
    }

    /**
     * From now on, a {@link Locked.OnHeld#SKIP SKIP} call is skipped and any other {@code @Locked} call throws {@link
     * IllegalStateException}; calls already running go on. Called when the application starts shutting down.
     */
    public void stopNewCalls() {
        interceptor.stopNewCalls();
    }

    /** Whether {@code @Locked} calls are still taken. */
    public boolean acceptsNewCalls() {
        return interceptor.acceptsNewCalls();
    }

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
        super.setBeanFactory(beanFactory);
        interceptor.setBeanFactory(beanFactory);
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        Class<?> targetClass = AopUtils.getTargetClass(bean);
        Map<Method, Locked> annotated =
                MethodIntrospector.selectMethods(targetClass, (MethodIntrospector.MetadataLookup<Locked>)
                        m -> AnnotatedElementUtils.findMergedAnnotation(m, Locked.class));
        for (Method method : annotated.keySet()) {
            try {
                interceptor.lockedMethod(method, targetClass);
            } catch (IllegalArgumentException e) {
                throw new BeanInitializationException("bean '" + beanName + "': " + e.getMessage(), e);
            }
        }
        return super.postProcessAfterInitialization(bean, beanName);
    }
}
