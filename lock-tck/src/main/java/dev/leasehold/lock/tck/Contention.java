package dev.leasehold.lock.tck;

import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.RetryOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stochastic contention run: threads over several managers each take one lock repeatedly and, inside, increment a
 * counter with a separate read and write, so that overlapping holders lose updates. Records the overlap seen and the
 * tokens in holding order.
 *
 * <p>This class is thread-safe.
 */
final class Contention {

    final int sections;
    final int finalCount;
    final int maxHolders;
    final List<Long> tokens;
    final List<Throwable> failures;

    /** The failures, summarised: how many, and the first one's message. */
    String failureSummary() {
        return failures.isEmpty() ? "none" : failures.size() + " failures, the first: " + failures.get(0);
    }

    private Contention(int sections, int finalCount, int maxHolders, List<Long> tokens, List<Throwable> failures) {
        this.sections = sections;
        this.finalCount = finalCount;
        this.maxHolders = maxHolders;
        this.tokens = tokens;
        this.failures = failures;
    }

    static Contention run(TckContext tck, String name, int managerCount, int threadsPerManager, int iterations)
            throws InterruptedException {
        RetryOptions retry = RetryOptions.builder()
                .maxRetries(-1)
                .delay(Duration.ofMillis(2))
                .backoff(Duration.ofMillis(20), 1.5)
                .jitter(0.5)
                .maxWait(tck.env().patience().multipliedBy(3))
                .build();
        List<LockManager> managers = new ArrayList<>();
        for (int i = 0; i < managerCount; i++) {
            managers.add(tck.manager(s -> s.retry(retry)));
        }
        AtomicInteger counter = new AtomicInteger();
        AtomicInteger holders = new AtomicInteger();
        AtomicInteger maxHolders = new AtomicInteger();
        List<Long> tokens = Collections.synchronizedList(new ArrayList<>());
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        int threads = managerCount * threadsPerManager;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                LockManager manager = managers.get(t % managerCount);
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < iterations; i++) {
                        try {
                            manager.lock(name).runLocked(lease -> {
                                int now = holders.incrementAndGet();
                                maxHolders.accumulateAndGet(now, Math::max);
                                tokens.add(lease.token());
                                int read = counter.get();
                                Thread.yield();
                                counter.set(read + 1);
                                holders.decrementAndGet();
                            });
                        } catch (RuntimeException e) {
                            failures.add(e);
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                try {
                    f.get(tck.env().patience().multipliedBy(6).toMillis(), TimeUnit.MILLISECONDS);
                } catch (Exception e) {
                    failures.add(e);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return new Contention(threads * iterations, counter.get(), maxHolders.get(), List.copyOf(tokens), failures);
    }
}
