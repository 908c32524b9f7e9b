package dev.leasehold.lock.tck;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.TestInstance;

/**
 * The whole TCK: every rule of {@code lock-tck/SPEC.md}, one test each, grouped in nested suites. A backend's test
 * class extends it and returns its fixture:
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
@DisplayNameGeneration(TckDisplayNames.class)
public abstract class LeaseholdTck {

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

    /** The context of this run. */
    protected final TckContext tckContext() {
        return context;
    }

    /** Rules 1.x. */
    @Nested
    class ApiContract extends ApiContractRules {
        @Override
        protected TckContext tck() {
            return context;
        }
    }

    /** Rules 2.x. */
    @Nested
    class MutualExclusion extends MutualExclusionRules {
        @Override
        protected TckContext tck() {
            return context;
        }
    }

    /** Rules 3.x. */
    @Nested
    class Fencing extends FencingRules {
        @Override
        protected TckContext tck() {
            return context;
        }
    }

    /** Rules 4.x. */
    @Nested
    class Leases extends LeaseRules {
        @Override
        protected TckContext tck() {
            return context;
        }
    }

    /** Rules 5.x. */
    @Nested
    class LostLeases extends LostLeaseRules {
        @Override
        protected TckContext tck() {
            return context;
        }
    }

    /** Rules 6.x. */
    @Nested
    class CrashRecovery extends CrashRecoveryRules {
        @Override
        protected TckContext tck() {
            return context;
        }
    }

    /** Rules 7.x. */
    @Nested
    class Waiting extends WaitingRules {
        @Override
        protected TckContext tck() {
            return context;
        }
    }

    /** Rules 8.x. */
    @Nested
    class Release extends ReleaseRules {
        @Override
        protected TckContext tck() {
            return context;
        }
    }
}
