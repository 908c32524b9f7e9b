package dev.leasehold.lock.tck;

import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.RetryOptions;
import dev.leasehold.lock.spi.LeaseStore;
import dev.leasehold.lock.testing.TestTimes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Assumptions;

/**
 * What the rule suites share: the fixture, the time environment, and the managers a test made (closed after it).
 *
 * <p>This class is thread-safe.
 */
public final class TckContext {

    private static final AtomicInteger NAMES = new AtomicInteger();

    private final TckFixture fixture;
    private final TestTimes env;
    private final List<LockManager> managers = new ArrayList<>();
    private final String run = Integer.toHexString(ThreadLocalRandom.current().nextInt());

    public TckContext(TckFixture fixture, TestTimes env) {
        this.fixture = fixture;
        this.env = env;
    }

    /** The fixture under test. */
    public TckFixture fixture() {
        return fixture;
    }

    /** The time environment. */
    public TestTimes env() {
        return env;
    }

    /** Settings with the environment's lease time and heartbeat, single-attempt retries and a fresh owner id. */
    public LockSettings.Builder settings() {
        return LockSettings.builder()
                .leaseTime(env.leaseTime())
                .heartbeatInterval(env.heartbeat())
                .retry(RetryOptions.none())
                .ownerId("tck-owner-" + run + "-" + NAMES.incrementAndGet());
    }

    /** A new manager with {@link #settings()}. */
    public LockManager manager() {
        return manager(s -> {});
    }

    /** A new manager with {@link #settings()} changed by {@code customize}. */
    public LockManager manager(Consumer<LockSettings.Builder> customize) {
        LockSettings.Builder builder = settings();
        customize.accept(builder);
        LockManager manager = fixture.newManager(builder.build());
        synchronized (managers) {
            managers.add(manager);
        }
        return manager;
    }

    /** A lock name no other test uses. */
    public String name(String hint) {
        return "tck-" + hint + "-" + run + "-" + NAMES.incrementAndGet();
    }

    /** Crashes a manager through the fixture. */
    public void crash(LockManager manager) {
        fixture.crash(manager);
    }

    /** The raw store of a manager, or aborts the test saying the fixture does not offer it. */
    public LeaseStore storeOf(LockManager manager) {
        return fixture.store(manager)
                .orElseGet(() -> abort("the fixture gives no access to its LeaseStore (TckFixture.store); this"
                        + " rule is checked at the store level"));
    }

    /** The fault injection of a manager, or aborts the test saying the fixture does not offer it. */
    public Faults faultsOf(LockManager manager) {
        return fixture.faults(manager)
                .orElseGet(() -> abort("the fixture cannot inject faults (TckFixture.faults); extend"
                        + " LeaseStoreFixture to get it"));
    }

    /**
     * Restarts the fixture's database with {@code downtime} without a server, or aborts the test saying the fixture
     * cannot.
     */
    public void restartDatabase(Duration downtime) {
        try {
            fixture.restartDatabase(downtime);
        } catch (UnsupportedOperationException e) {
            abort(e.getMessage());
        }
    }

    /**
     * Makes the manager's store fail from the inside ({@link TckFixture#failInsideStore}) until the handle is closed,
     * or aborts the test saying the fixture cannot.
     */
    public AutoCloseable failInsideStore(LockManager manager) {
        try {
            return fixture.failInsideStore(manager);
        } catch (UnsupportedOperationException e) {
            return abort(e.getMessage());
        }
    }

    /**
     * Skews the store's clock by {@code offset} against the JVM's ({@link TckFixture#skewStoreClock}), or aborts the
     * test saying the fixture cannot.
     */
    public void skewStoreClock(Duration offset) {
        try {
            fixture.skewStoreClock(offset);
        } catch (UnsupportedOperationException e) {
            abort(e.getMessage());
        }
    }

    private static <T> T abort(String reason) {
        Assumptions.abort(reason);
        throw new AssertionError("unreachable");
    }

    /** Closes every manager the current test made. */
    public void closeManagers() {
        List<LockManager> toClose;
        synchronized (managers) {
            toClose = new ArrayList<>(managers);
            managers.clear();
        }
        for (LockManager m : toClose) {
            try {
                m.close();
            } catch (RuntimeException e) {
                // A test may have broken the manager on purpose.
            }
            if (fixture instanceof LeaseStoreFixture lsf) {
                lsf.forget(m);
            }
        }
    }
}
