package dev.leasehold.lock.spi;

/**
 * What a {@link LeaseStore} can tell the engine that uses it without being asked: the engine passes one to {@link
 * LeaseStore#attach(LeaseStoreEvents)} when it starts.
 *
 * <p>Implementations are thread-safe and return quickly.
 */
public interface LeaseStoreEvents {

    /**
     * Every lease this store holds for its owner is gone, now: for example the database session that held them ended.
     * The engine marks each held lease lost and tells its listeners, without waiting for the next renewal.
     *
     * @param reason what happened, for the lost-lease message
     * @param cause the failure behind it, if any
     */
    void allLeasesLost(String reason, Throwable cause);
}
