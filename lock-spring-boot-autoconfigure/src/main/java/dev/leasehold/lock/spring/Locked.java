package dev.leasehold.lock.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs the annotated method of a Spring bean under a distributed lock of the application's {@link
 * dev.leasehold.lock.LockManager}, as {@link dev.leasehold.lock.DistributedLock#withLock withLock} does: the lock is
 * acquired before the method runs, renewed by the heartbeat while it runs (unless {@link #fixedTerm()}), and released
 * however it ends (not before {@link #minHold()}, if set). The method reads its lease through {@link
 * LockedContext#currentLease()}.
 *
 * <pre>{@code
 * @Locked(name = "invoice-#{#invoice.id}", onHeld = Locked.OnHeld.FAIL)
 * public void pay(Invoice invoice) { ... }
 *
 * @Scheduled(fixedDelay = 60_000)
 * @Locked(name = "nightly-report", onHeld = Locked.OnHeld.SKIP)
 * public void report() { ... }
 * }</pre>
 *
 * <p>The bean is proxied by Spring AOP, so the lock applies to calls through the proxy: a call from another method of
 * the same object is not locked. Expressions are checked when the bean is created, so a name that cannot be parsed,
 * or that names a parameter the method does not have, stops the application at start-up with the bean, the method
 * and the expression in the message.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Locked {

    /**
     * The lock name, a SpEL template: literal text with expressions in {@code #{...}} over the method's arguments, by
     * parameter name ({@code #invoice}, which needs the class compiled with {@code -parameters}, as Spring Boot's
     * build plugins do) or by position ({@code #p0} or {@code #a0}). Beans are reachable as {@code @beanName}. The
     * result must be a valid lock name: not blank, at most 255 characters.
     */
    String name();

    /** What the call does when another owner holds the lock. No default: a skipped call must be a choice. */
    OnHeld onHeld();

    /**
     * With {@link OnHeld#WAIT}, the longest time to wait for the lock: a duration with a unit ({@code 500ms},
     * {@code 10s}, {@code 2m}) or ISO-8601 ({@code PT10S}). Empty (the default): wait as the manager's retry options
     * say ({@code leasehold.retry.*}). Must be empty with the other outcomes.
     */
    String maxWait() default "";

    /**
     * The lease time of this lock, in the same forms as {@link #maxWait()}: at most one day, or 366 days with {@link
     * #fixedTerm()}; its heartbeat is a third of it. Empty (the default): the manager's lease time ({@code
     * leasehold.lease-time}).
     */
    String leaseTime() default "";

    /**
     * The minimum hold of this lock, in the same forms as {@link #maxWait()}: however soon the method returns or
     * throws, the lock stays held, for every owner, until its grant plus this time by the database clock ({@link
     * dev.leasehold.lock.Lease#release(java.time.Duration)}), even if this application stops meanwhile; at most 366
     * days. Empty (the default): released as soon as the method ends. For a job that several nodes run on the same
     * schedule, a hold a little shorter than the period keeps a fast run from being repeated by a node whose clock or
     * scheduler is late.
     */
    String minHold() default "";

    /**
     * Whether the lease is fixed-term ({@link dev.leasehold.lock.LockOptions.Builder#fixedTerm()}): never renewed, it
     * ends {@link #leaseTime()} after its grant by the database clock even while the method still runs, and then the
     * call ends as one whose lease was lost. A hard limit on how long the method holds the lock; with it {@link
     * #leaseTime()} may be up to 366 days instead of one. Default: false, the heartbeat renews the lease while the
     * method runs.
     */
    boolean fixedTerm() default false;

    /**
     * What a call does when the lock is held by another owner. A lock this very thread already holds through the same
     * manager (a nested call for the same name) always fails with {@link
     * dev.leasehold.lock.LockAlreadyHeldException}: locks are not reentrant.
     */
    enum OnHeld {
        /**
         * Make one attempt; when the lock is held, do not run the method and return {@code null}, an empty {@link
         * java.util.Optional}, or nothing for {@code void} (the cron case). Logged at DEBUG. Not allowed on methods
         * returning a primitive.
         */
        SKIP,
        /** Make one attempt; when the lock is held, throw {@link dev.leasehold.lock.LockAlreadyHeldException}. */
        FAIL,
        /**
         * Wait for the lock up to {@link Locked#maxWait()} (or as the manager's retry options say), then throw {@link
         * dev.leasehold.lock.LockAlreadyHeldException} if it is still held.
         */
        WAIT
    }
}
