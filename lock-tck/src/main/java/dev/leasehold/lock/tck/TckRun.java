package dev.leasehold.lock.tck;

import dev.leasehold.lock.testing.TestTimes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * What every runnable suite of the TCK ({@link LeaseholdTck}, {@link RestartTck}) does around its rules: one fixture for the
 * whole test class, created before the first rule and closed, with every manager the rules built, after the last.
 * Times come from {@link TestTimes}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class TckRun {

    private TckContext context;

    /** The fixture under test; called once before the first rule. */
    protected abstract TckFixture createFixture() throws Exception;

    /** The time environment; by default from {@link TestTimes#fromEnvironment()}. */
    protected TestTimes environment() {
        return TestTimes.fromEnvironment();
    }

    @BeforeAll
    void startTck() throws Exception {
        context = new TckContext(createFixture(), environment());
    }

    @AfterAll
    void stopTck() throws Exception {
        if (context != null) {
            context.closeManagers();
            context.fixture().close();
        }
    }

    /** The context the rules run in: the fixture, the times and the managers built so far. */
    public final TckContext tck() {
        return context;
    }
}
