package dev.leasehold.lock.advisory.internal;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Daemon threads named for {@code jstack}: the first one by the name itself, the next ones with a number appended.
 *
 * <p>This class is thread-safe.
 */
final class DaemonThreads {

    private DaemonThreads() {}

    /** A factory of daemon threads called {@code name}, {@code name-2}, {@code name-3}, ... */
    static ThreadFactory named(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + (n.getAndIncrement() == 0 ? "" : "-" + n.get()));
            t.setDaemon(true);
            return t;
        };
    }
}
