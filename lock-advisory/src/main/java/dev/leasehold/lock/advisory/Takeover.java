package dev.leasehold.lock.advisory;

/**
 * What an acquirer does when it gets a lock's advisory lock but the lease row still shows an unexpired lease of
 * another holder. Since every holder keeps its advisory lock for as long as it holds the lease, a free advisory lock
 * over an unexpired row means that the holder's database session has ended: its process crashed, its connection was
 * cut, or an administrator terminated it.
 *
 * <p>Set it with {@link AdvisoryOptions.Builder#takeover(Takeover)} or the property {@value
 * AdvisoryOptions#TAKEOVER_PROPERTY} ({@code immediate} or {@code after-expiry}).
 */
public enum Takeover {
    /**
     * Take the lock over at once, with the row's token plus one (the default). A crashed holder's lock passes on in
     * about a round trip instead of a lease time.
     *
     * <p>The price: a holder whose session ends while its process lives (a cut connection, {@code
     * pg_terminate_backend}) may go on believing it holds the lock until it notices the loss, within the liveness
     * interval plus a round trip ({@link AdvisoryOptions#livenessInterval()}), while the next holder already has it.
     * Pass the fencing token to what you protect. All managers on the table must be {@code advisory} managers over
     * the same table: a {@code jdbc} manager holds no advisory lock, so its lease would be taken over.
     */
    IMMEDIATE,

    /**
     * Wait until the row's lease expires by the database clock, as the lease table does. A holder's lease is never
     * taken over before its local deadline has passed, even when its session ended while its process lives; a crashed
     * holder's lock passes on only after its lease time.
     */
    AFTER_EXPIRY
}
