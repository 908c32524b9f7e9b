package dev.leasehold.lock.core.memory;

import static org.awaitility.Awaitility.await;

import dev.leasehold.lock.spi.AwaitOutcome;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** Waiters on the reference store, for tests of what wakes them. */
final class Waiters {

    private Waiters() {}

    /**
     * Starts a thread in {@code store.awaitChange(name, maxWait)} and returns once it is in the store's wait (not still
     * entering it), so that only what the test does next can end the wait early; the future completes with its outcome.
     */
    static CompletableFuture<AwaitOutcome> waitingOn(InMemoryLeaseStore store, String name, Duration maxWait) {
        CompletableFuture<AwaitOutcome> outcome = new CompletableFuture<>();
        Thread waiter = new Thread(() -> {
            try {
                outcome.complete(store.awaitChange(name, maxWait));
            } catch (Throwable t) {
                outcome.completeExceptionally(t);
            }
        });
        waiter.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> waiter.getState() == Thread.State.TIMED_WAITING);
        return outcome;
    }
}
