/**
 * The Leasehold technology compatibility kit. A backend proves it keeps the contract of {@code lock-tck/SPEC.md} by
 * extending {@link dev.leasehold.lock.tck.LeaseholdTck} and returning one {@link dev.leasehold.lock.tck.TckFixture}
 * (most backends extend {@link dev.leasehold.lock.tck.LeaseStoreFixture} and only say how to make a store). Each rule
 * of the spec is one test named after it. The restart rules need a database the test may restart: they abort on a
 * shared one, and {@link dev.leasehold.lock.tck.RestartTck} runs them alone over a fixture that owns its database
 * (such as one on {@code dev.leasehold.lock.testing.OwnedPostgres} (in lock-testing)). The reference backend the TCK tests itself with is
 * lock-core's {@link dev.leasehold.lock.core.memory.InMemoryLeaseStore}.
 */
package dev.leasehold.lock.tck;
