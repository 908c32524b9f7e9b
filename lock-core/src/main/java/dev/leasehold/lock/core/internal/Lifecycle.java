package dev.leasehold.lock.core.internal;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Where one engine is in its life, and who is waiting on it: open, draining (close() waits for work under {@code
 * withLock} while the heartbeat renews), releasing (the drain is over), closed. It keeps the threads the drain must
 * know about: those running work under a lease, those closing the manager (whose own work is not waited for), and
 * those parked between two acquire attempts (which close() interrupts).
 *
 * <p>This class is thread-safe: its state is guarded by {@code this}, which is also the monitor close() waits on.
 */
final class Lifecycle {

    private enum Phase {
        OPEN,
        DRAINING,
        RELEASING,
        CLOSED
    }

    private final Supplier<IllegalStateException> closedException;

    /** True from the moment close() or abandon() begins; read without the lock on hot paths. */
    private volatile boolean closed;

    // Guarded by this.
    private Phase phase = Phase.OPEN;
    private Thread closingThread;
    private final Set<Thread> closers = new HashSet<>();
    private final Map<ManagedLease, Thread> running = new HashMap<>();
    private final Set<ManagedLease> outlived = new HashSet<>();
    private final Set<Thread> parked = new HashSet<>();

    Lifecycle(Supplier<IllegalStateException> closedException) {
        this.closedException = closedException;
    }

    boolean isClosed() {
        return closed;
    }

    /** Runs {@code action} if the manager is open, atomically with respect to close(); returns whether it ran. */
    synchronized boolean ifOpen(Runnable action) {
        if (closed) {
            return false;
        }
        action.run();
        return true;
    }

    /**
     * Registers the calling thread as parked between two acquire attempts, so that close() can interrupt it.
     *
     * @return false if the manager is closed already (the thread must not wait)
     */
    synchronized boolean park() {
        if (closed) {
            return false;
        }
        parked.add(Thread.currentThread());
        return true;
    }

    /**
     * Ends the calling thread's parking.
     *
     * @return whether the manager was closed meanwhile (close() and abandon() interrupt parked threads)
     */
    synchronized boolean unpark() {
        parked.remove(Thread.currentThread());
        return closed;
    }

    /**
     * Registers work about to run under {@code lease} on the calling thread, so that close() waits for it.
     *
     * @throws IllegalStateException if the drain is over
     */
    synchronized void beginWork(ManagedLease lease) {
        if (phase != Phase.OPEN && phase != Phase.DRAINING) {
            throw closedException.get();
        }
        running.put(lease, Thread.currentThread());
    }

    /** The work under {@code lease} has returned, and its release was attempted. */
    synchronized void endWork(ManagedLease lease) {
        running.remove(lease);
        outlived.remove(lease);
        notifyAll();
    }

    /**
     * Begins a close on the calling thread: marks the manager closed and interrupts parked threads.
     *
     * @return false if the manager is closed, or another close() is under way (then this returns once that one is
     *     done), or this thread is inside its own close() already (an onLost listener)
     */
    synchronized boolean beginClose() {
        Thread me = Thread.currentThread();
        if (phase == Phase.CLOSED || closingThread == me) {
            return false;
        }
        if (phase != Phase.OPEN) {
            awaitClosed(me);
            return false;
        }
        phase = Phase.DRAINING;
        closed = true;
        closingThread = me;
        closers.add(me);
        wakeParked();
        return true;
    }

    /** A second close() returns once the first is done, without holding up its drain. */
    private void awaitClosed(Thread me) {
        closers.add(me);
        notifyAll();
        boolean interrupted = false;
        while (phase != Phase.CLOSED) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true; // bounded by the first close: finish waiting, keep the flag
            }
        }
        closers.remove(me);
        if (interrupted) {
            me.interrupt();
        }
    }

    /** Waits up to {@code timeout} for work running on threads that are not closing the manager, then ends the drain. */
    void drain(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean interrupted = false;
        synchronized (this) {
            while (!closers.containsAll(running.values())) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    interrupted = true; // the closing thread is interrupted: end the drain now
                    break;
                }
            }
            phase = Phase.RELEASING;
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** A lease whose work outlived the drain, and whether that work runs on a thread closing the manager. */
    record Outlived(ManagedLease lease, boolean closingItself) {}

    /** The work still running after the drain; close() waits for it before closing the store. */
    synchronized List<Outlived> outliving() {
        outlived.addAll(running.keySet());
        return running.entrySet().stream()
                .map(e -> new Outlived(e.getKey(), closers.contains(e.getValue())))
                .toList();
    }

    /** Waits until every outliving work has returned, or {@code boundNanos} passed. */
    synchronized void awaitOutlived(long boundNanos) {
        long deadline = System.nanoTime() + boundNanos;
        long left;
        while (!outlived.isEmpty() && (left = deadline - System.nanoTime()) > 0) {
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Ends the close begun by {@link #beginClose()} on this thread. */
    synchronized void finishClose() {
        phase = Phase.CLOSED;
        closers.remove(Thread.currentThread());
        closingThread = null;
        notifyAll();
    }

    /** The manager crashed (a simulation): closed at once, nothing drained, waiting threads woken. */
    synchronized void abandon() {
        closed = true;
        if (phase == Phase.OPEN) {
            phase = Phase.CLOSED;
        }
        wakeParked();
    }

    private void wakeParked() {
        for (Thread t : parked) {
            t.interrupt();
        }
    }
}
