package dev.leasehold.lock.spring.boot;

import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.spring.LockedAnnotationBeanPostProcessor;
import java.util.List;
import org.springframework.context.SmartLifecycle;

/**
 * Shuts Leasehold down with the application context, before the beans it uses are destroyed: it stops new {@link
 * dev.leasehold.lock.spring.Locked @Locked} calls (a {@code SKIP} call is skipped, any other throws {@link
 * IllegalStateException}), then closes each {@link LockManager} of the context, whose {@link LockManager#close()}
 * waits up to its drain timeout ({@code leasehold.drain-timeout}) for running {@code @Locked} and {@code withLock}
 * work and then releases every lease.
 *
 * <p>Its {@link #PHASE phase} puts this after the web server's graceful shutdown, so that requests still being served
 * finish their locked work first, and before any bean is destroyed, so that the DataSource is still open while leases
 * are released.
 *
 * <p>This class is thread-safe.
 */
public class LeaseholdLifecycle implements SmartLifecycle {

    /**
     * The phase: below the web server's graceful shutdown ({@code DEFAULT_PHASE - 1024}) and stop ({@code
     * DEFAULT_PHASE - 2048}), which therefore stop earlier.
     */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

    private final List<LockManager> managers;
    private final LockedAnnotationBeanPostProcessor locked;
    private volatile boolean running;

    /**
     * @param managers the managers to close
     * @param locked the post-processor of {@code @Locked} methods, or null if there is none
     */
    public LeaseholdLifecycle(List<LockManager> managers, LockedAnnotationBeanPostProcessor locked) {
        this.managers = List.copyOf(managers);
        this.locked = locked;
    }

    @Override
    public void start() {
        running = true;
    }

    /** Stops new {@code @Locked} calls, then closes every manager: returns once running work drained or timed out. */
    @Override
    public void stop() {
        if (locked != null) {
            locked.stopNewCalls();
        }
        for (LockManager manager : managers) {
            manager.close();
        }
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
