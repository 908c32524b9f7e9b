package dev.leasehold.lock.spring;

import dev.leasehold.lock.DistributedLock;
import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockAlreadyHeldException;
import dev.leasehold.lock.LockManager;
import java.lang.reflect.Method;
import java.lang.reflect.UndeclaredThrowableException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.core.BridgeMethodResolver;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.core.annotation.AnnotatedElementUtils;

/**
 * Runs {@link Locked} methods under their locks, and refuses new calls once the application starts shutting down
 * ({@link #stopNewCalls()}): from then on a {@link Locked.OnHeld#SKIP SKIP} call is skipped and any other call throws
 * {@link IllegalStateException}, while calls already running finish under their leases.
 *
 * <p>This class is thread-safe.
 */
final class LockedMethodInterceptor implements MethodInterceptor {

    private static final Log log = LogFactory.getLog(Locked.class);

    private final Supplier<LockManager> manager;
    private final Duration waitDelay;
    private final ParameterNameDiscoverer parameterNames = new DefaultParameterNameDiscoverer();
    private final Map<Method, LockedMethod> methods = new ConcurrentHashMap<>();
    private volatile BeanFactory beanFactory;
    private volatile boolean accepting = true;
    private volatile List<LockedSkipListener> skipListeners;

    LockedMethodInterceptor(Supplier<LockManager> manager, Duration waitDelay) {
        this.manager = manager;
        this.waitDelay = waitDelay;
    }

    void setBeanFactory(BeanFactory beanFactory) {
        this.beanFactory = beanFactory;
    }

    void stopNewCalls() {
        accepting = false;
    }

    boolean acceptsNewCalls() {
        return accepting;
    }

    /**
     * The parsed annotation of {@code method} as called on {@code targetClass}, or null if it has none.
     *
     * @throws IllegalArgumentException if the annotation is invalid
     */
    LockedMethod lockedMethod(Method method, Class<?> targetClass) {
        Method specific = BridgeMethodResolver.findBridgedMethod(AopUtils.getMostSpecificMethod(method, targetClass));
        LockedMethod known = methods.get(specific);
        if (known != null) {
            return known;
        }
        Locked locked = AnnotatedElementUtils.findMergedAnnotation(specific, Locked.class);
        if (locked == null) {
            return null;
        }
        return methods.computeIfAbsent(specific, m -> LockedMethod.parse(m, locked, waitDelay, parameterNames));
    }

    @Override
    public Object invoke(MethodInvocation invocation) throws Throwable {
        Object target = invocation.getThis();
        Class<?> targetClass = target != null
                ? AopUtils.getTargetClass(target)
                : invocation.getMethod().getDeclaringClass();
        LockedMethod locked = lockedMethod(invocation.getMethod(), targetClass);
        if (locked == null) {
            return invocation.proceed();
        }
        if (!accepting) {
            return refuse(locked);
        }
        String name = locked.lockName(target, invocation.getArguments(), beanFactory);
        boolean[] started = {false};
        try {
            DistributedLock lock = manager.get().lock(name, locked.options());
            return lock.withLock(lease -> {
                started[0] = true;
                return proceed(invocation, lease);
            });
        } catch (LockAlreadyHeldException e) {
            // Only a refusal of this call's own lock is a skip: the method's own exceptions pass through unchanged.
            if (!started[0] && locked.onHeld() == Locked.OnHeld.SKIP && !e.heldByThisManager()) {
                if (log.isDebugEnabled()) {
                    log.debug("skipped " + LockedMethod.describe(locked.method()) + ": lock '" + name
                            + "' is held elsewhere"
                            + e.holder().map(h -> " by " + h.ownerId()).orElse(""));
                }
                tellSkipped(locked, name, LockedSkipListener.Reason.HELD);
                return locked.skipValue();
            }
            throw e;
        } catch (IllegalStateException e) {
            // The manager closed between the check above and the acquire: the same outcome as a call after it.
            if (!started[0] && !accepting) {
                return refuse(locked);
            }
            throw e;
        }
    }

    private Object refuse(LockedMethod locked) {
        if (locked.onHeld() == Locked.OnHeld.SKIP) {
            if (log.isDebugEnabled()) {
                log.debug("skipped " + LockedMethod.describe(locked.method()) + ": the application is shutting down");
            }
            tellSkipped(locked, null, LockedSkipListener.Reason.SHUTTING_DOWN);
            return locked.skipValue();
        }
        throw new IllegalStateException("@Locked method " + LockedMethod.describe(locked.method())
                + " was called while the application is shutting down: Leasehold takes no new locks then");
    }

    /** Tells the context's {@link LockedSkipListener} beans, found at the first skip; their failures are logged. */
    private void tellSkipped(LockedMethod locked, String name, LockedSkipListener.Reason reason) {
        List<LockedSkipListener> listeners = skipListeners;
        if (listeners == null) {
            BeanFactory factory = beanFactory;
            listeners = factory == null
                    ? List.of()
                    : factory.getBeanProvider(LockedSkipListener.class)
                            .orderedStream()
                            .toList();
            skipListeners = listeners;
        }
        for (LockedSkipListener listener : listeners) {
            try {
                listener.skipped(locked.method(), name, reason);
            } catch (RuntimeException e) {
                log.error("a LockedSkipListener threw for " + LockedMethod.describe(locked.method()), e);
            }
        }
    }

    private static Object proceed(MethodInvocation invocation, Lease lease) throws Exception {
        Lease previous = LockedContext.enter(lease);
        try {
            return invocation.proceed();
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new UndeclaredThrowableException(t);
        } finally {
            LockedContext.restore(previous);
        }
    }
}
