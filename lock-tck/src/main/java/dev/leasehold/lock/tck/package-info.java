/**
 * The Leasehold technology compatibility kit: the contract of {@code lock-tck/SPEC.md} as JUnit 5 suites, and what a
 * backend needs to run them.
 *
 * <p>A backend proves it keeps the contract by extending {@link dev.leasehold.lock.tck.LeaseholdTck} and returning
 * one {@link dev.leasehold.lock.tck.TckFixture}; most backends extend {@link dev.leasehold.lock.tck.LeaseStoreFixture}
 * and only say how to make a store, and get fault injection ({@link dev.leasehold.lock.tck.Faults}) and every other
 * capability with it. Each rule of the spec is one test named after it; a rule that needs a capability the fixture
 * lacks aborts and says which. Times come from {@link dev.leasehold.lock.testing.TestTimes}, scaled by {@code
 * LEASEHOLD_TCK_TIME_SCALE}. The restart rules need a database the test may restart: they abort on a shared one, and
 * {@link dev.leasehold.lock.tck.RestartTck} runs them alone over a fixture that owns its database.
 *
 * <p>What the suites run over lives elsewhere: the reference store the TCK tests itself with is lock-core's {@link
 * dev.leasehold.lock.core.memory.InMemoryLeaseStore}; test databases, named pools whose sessions a fixture can end
 * (for R6.2) and PostgreSQL clusters a fixture may restart (for R9.3) are in lock-testing ({@code
 * dev.leasehold.lock.testing}); the engine's own tests are lock-core's.
 */
package dev.leasehold.lock.tck;
