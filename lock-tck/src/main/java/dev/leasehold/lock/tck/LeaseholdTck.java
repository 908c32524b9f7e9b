package dev.leasehold.lock.tck;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * The whole TCK: every rule of {@code lock-tck/SPEC.md}, one test each, run in the backend's own test class. A
 * backend's test class extends it and returns its fixture:
 *
 * <pre>{@code
 * class MyBackendTckTest extends LeaseholdTck {
 *     protected TckFixture createFixture() {
 *         return new LeaseStoreFixture() {
 *             protected LeaseStore newStore(LockSettings settings) { return new MyLeaseStore(dataSource); }
 *         };
 *     }
 * }
 * }</pre>
 *
 * <p>The fixture is created once for the class and closed after it. Times come from {@link TckEnvironment}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class LeaseholdTck
        implements ApiContractRules,
                MutualExclusionRules,
                FencingRules,
                LeaseRules,
                LostLeaseRules,
                CrashRecoveryRules,
                WaitingRules,
                ReleaseRules,
                IsolationRules,
                ShutdownRules,
                RestartRules {

    private TckContext context;

    /** The fixture under test; called once before the first rule. */
    protected abstract TckFixture createFixture() throws Exception;

    /** The time environment; by default from {@link TckEnvironment#fromEnvironment()}. */
    protected TckEnvironment environment() {
        return TckEnvironment.fromEnvironment();
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

    @Override
    public final TckContext tck() {
        return context;
    }
}
