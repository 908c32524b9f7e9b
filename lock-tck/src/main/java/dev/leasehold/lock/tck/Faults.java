package dev.leasehold.lock.tck;

/**
 * Faults a fixture can inject into one manager's store, and the calls it saw; {@link LeaseStoreFixture} offers it for
 * every manager. Tests that need it abort when a fixture does not.
 *
 * <p>Implementations must be thread-safe.
 */
public interface Faults {

    /** From now on, every renewal ({@code renew} and {@code renewAll}) fails with a transient connection error. */
    void failRenewals();

    /** Ends every injected fault. */
    void heal();

    /** How many {@code tryAcquire} calls reached the store. */
    int tryAcquireCalls();

    /** How many {@code renewAll} calls reached the store. */
    int renewAllCalls();

    /** How many {@code renew} calls reached the store, other than through {@code renewAll}. */
    int renewCalls();

    /** How many {@code awaitChange} calls reached the store. */
    int awaitChangeCalls();
}
