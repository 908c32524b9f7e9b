package dev.leasehold.lock.micrometer;

import dev.leasehold.lock.LockEvents;
import dev.leasehold.lock.LockListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Micrometer meters for Leasehold, fed by the engine's events: register the listener when building the manager,
 *
 * <pre>{@code
 * LockManager locks = Locks.builder()
 *         .dataSource(ds)
 *         .listener(LeaseholdMetrics.listener(registry))
 *         .build();
 * }</pre>
 *
 * <p>The meters (each tagged {@value #BACKEND_TAG}, and {@value #LOCK_TAG} when {@link MetricsOptions#lockNameTag()}):
 *
 * <ul>
 *   <li>{@value #ACQUIRE} (counter, tag {@code outcome}: {@code acquired}, {@code held}, {@code error}): calls to
 *       acquire and how they ended.
 *   <li>{@value #ACQUIRE_WAIT} (timer, tag {@code outcome}): how long those calls took, waiting included.
 *   <li>{@value #LEASES_HELD} (gauge): leases held now.
 *   <li>{@value #LEASE_HELD} (timer, tag {@code ended}: {@code released}, {@code lost}): how long each lease was held.
 *   <li>{@value #RENEWALS} (counter, tag {@code outcome}: {@code renewed}, {@code failed_transiently}, {@code failed},
 *       {@code gone}): heartbeat renewals of one lease each.
 *   <li>{@value #LEASES_LOST} (counter, tag {@code reason}: {@code expired}, {@code taken_over}, {@code
 *       released_by_admin}, {@code manager_closed}, {@code all_lost}, {@code renewal_failed}).
 *   <li>{@value #RELEASES} (counter): leases released, by their holder or by the manager's close.
 * </ul>
 *
 * <p>One listener may serve several managers. Listeners on one registry share its {@value #LEASES_HELD} gauges, so
 * that two of them count the leases of both.
 *
 * <p>This class is thread-safe.
 */
public final class LeaseholdMetrics implements LockListener {

    /** The tag naming the backend ({@code jdbc}, {@code advisory}, {@code jpa}, {@code memory}). */
    public static final String BACKEND_TAG = "backend";
    /** The tag naming the lock, when {@link MetricsOptions#lockNameTag()} is set. */
    public static final String LOCK_TAG = "lock";

    public static final String ACQUIRE = "leasehold.acquire";
    public static final String ACQUIRE_WAIT = "leasehold.acquire.wait";
    public static final String LEASES_HELD = "leasehold.leases.held";
    public static final String LEASE_HELD = "leasehold.lease.held";
    public static final String RENEWALS = "leasehold.renewals";
    public static final String LEASES_LOST = "leasehold.leases.lost";
    public static final String RELEASES = "leasehold.releases";

    /** The held-lease counts behind each registry's gauges; weak, so that a discarded registry is not kept alive. */
    private static final Map<MeterRegistry, Map<Tags, AtomicLong>> HELD_BY_REGISTRY =
            Collections.synchronizedMap(new WeakHashMap<>());

    private final MeterRegistry registry;
    private final MetricsOptions options;
    private final Map<Tags, AtomicLong> held;

    private LeaseholdMetrics(MeterRegistry registry, MetricsOptions options) {
        this.registry = registry;
        this.options = options;
        this.held = HELD_BY_REGISTRY.computeIfAbsent(registry, r -> new ConcurrentHashMap<>());
    }

    /** A listener recording into {@code registry} with {@link MetricsOptions#defaults()}. */
    public static LeaseholdMetrics listener(MeterRegistry registry) {
        return listener(registry, MetricsOptions.defaults());
    }

    /**
     * A listener recording into {@code registry}; register it with {@code Locks.builder().listener(...)}.
     *
     * @throws IllegalArgumentException if {@code registry} or {@code options} is null
     */
    public static LeaseholdMetrics listener(MeterRegistry registry, MetricsOptions options) {
        if (registry == null) {
            throw new IllegalArgumentException("registry must not be null: pass the application's MeterRegistry");
        }
        if (options == null) {
            throw new IllegalArgumentException("options must not be null: pass MetricsOptions.defaults()");
        }
        return new LeaseholdMetrics(registry, options);
    }

    /** The options this listener records with. */
    public MetricsOptions options() {
        return options;
    }

    @Override
    public void acquireAttempted(LockEvents.AcquireAttempt event) {
        Tags tags = tags(event.backend(), event.lockName()).and("outcome", value(event.outcome()));
        Counter.builder(ACQUIRE)
                .description("Calls to acquire a lock, by how they ended")
                .tags(tags)
                .register(registry)
                .increment();
        Timer.builder(ACQUIRE_WAIT)
                .description("How long calls to acquire a lock took, waiting included")
                .tags(tags)
                .publishPercentileHistogram(options.waitHistogram())
                .register(registry)
                .record(event.waited());
    }

    @Override
    public void leaseAcquired(LockEvents.LeaseAcquired event) {
        heldCount(tags(event.backend(), event.lockName())).incrementAndGet();
    }

    @Override
    public void leaseReleased(LockEvents.LeaseReleased event) {
        Tags tags = tags(event.backend(), event.lockName());
        heldCount(tags).decrementAndGet();
        timeHeld(tags, "released", event.heldFor());
        Counter.builder(RELEASES)
                .description("Leases released, by their holder or by the manager's close")
                .tags(tags)
                .register(registry)
                .increment();
    }

    @Override
    public void renewed(LockEvents.Renewal event) {
        Counter.builder(RENEWALS)
                .description("Heartbeat renewals of one lease, by how they ended")
                .tags(tags(event.backend(), event.lockName()).and("outcome", value(event.outcome())))
                .register(registry)
                .increment();
    }

    @Override
    public void leaseLost(LockEvents.LeaseLost event) {
        Tags tags = tags(event.backend(), event.lockName());
        heldCount(tags).decrementAndGet();
        timeHeld(tags, "lost", event.heldFor());
        Counter.builder(LEASES_LOST)
                .description("Leases lost, by reason")
                .tags(tags.and("reason", value(event.reason())))
                .register(registry)
                .increment();
    }

    private void timeHeld(Tags tags, String ended, Duration heldFor) {
        Timer.builder(LEASE_HELD)
                .description("How long each lease was held, until released or lost")
                .tags(tags.and("ended", ended))
                .register(registry)
                .record(heldFor);
    }

    private AtomicLong heldCount(Tags tags) {
        return held.computeIfAbsent(tags, t -> {
            AtomicLong count = new AtomicLong();
            // The map keeps the count reachable: Micrometer holds a gauge's object only weakly.
            Gauge.builder(LEASES_HELD, count, AtomicLong::get)
                    .description("Leases held now")
                    .tags(t)
                    .register(registry);
            return count;
        });
    }

    private Tags tags(String backend, String lockName) {
        Tags tags = options.commonTags().and(BACKEND_TAG, backend);
        return options.lockNameTag() ? tags.and(LOCK_TAG, lockName) : tags;
    }

    private static String value(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return "LeaseholdMetrics[" + registry.getClass().getSimpleName() + ", " + options + "]";
    }
}
