package dev.leasehold.lock.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;

/** Runs a loop on several threads, started together, for a time. */
final class Workers {

    private Workers() {}

    /** One iteration of thread {@code index}. */
    @FunctionalInterface
    interface Body {
        void run(int index) throws Exception;
    }

    /** Iterations per thread, the time from the common start to the last thread's end, and the first failure. */
    record Outcome(long[] iterations, long elapsedNanos, Throwable failure) {
        long total() {
            long sum = 0;
            for (long i : iterations) {
                sum += i;
            }
            return sum;
        }

        double perSecond() {
            return total() / (elapsedNanos / 1e9);
        }
    }

    /**
     * Runs {@code body} on {@code threads} threads until {@code duration} has passed since their common start (an
     * iteration under way then completes). The first exception stops every thread.
     */
    static Outcome runFor(int threads, Duration duration, Body body) throws InterruptedException {
        long[] iterations = new long[threads];
        long[] ends = new long[threads];
        long[] start = new long[1];
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CyclicBarrier barrier = new CyclicBarrier(threads, () -> start[0] = System.nanoTime());
        List<Thread> running = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int index = t;
            Thread thread = new Thread(
                    () -> {
                        try {
                            barrier.await();
                            long deadline = start[0] + duration.toNanos();
                            long n = 0;
                            while (System.nanoTime() < deadline && failure.get() == null) {
                                body.run(index);
                                n++;
                            }
                            iterations[index] = n;
                        } catch (Throwable e) {
                            failure.compareAndSet(null, e);
                        } finally {
                            ends[index] = System.nanoTime();
                        }
                    },
                    "bench-worker-" + t);
            thread.setDaemon(true);
            running.add(thread);
            thread.start();
        }
        long waitMillis = duration.toMillis() + 120_000;
        for (Thread thread : running) {
            thread.join(waitMillis);
            if (thread.isAlive()) {
                failure.compareAndSet(null, new IllegalStateException(thread.getName() + " did not finish"));
            }
        }
        long last = 0;
        for (long end : ends) {
            last = Math.max(last, end);
        }
        return new Outcome(iterations, last - start[0], failure.get());
    }

    /** A one-line description of a failure: the root cause's type and message. */
    static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = e == root
                ? e.getClass().getSimpleName() + ": " + e.getMessage()
                : e.getClass().getSimpleName() + ": " + e.getMessage() + " (cause "
                        + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
        return text.replace('\n', ' ').replace('|', '/');
    }
}
