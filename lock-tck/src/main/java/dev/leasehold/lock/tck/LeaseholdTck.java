package dev.leasehold.lock.tck;

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
 * <p>The fixture is created once for the class and closed after it ({@link TckRun}).
 */
public abstract class LeaseholdTck extends TckRun
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
                RestartRules,
                ClockRules,
                FixedTermRules,
                PurgeRules {}
