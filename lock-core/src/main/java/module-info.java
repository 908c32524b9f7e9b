/**
 * The Leasehold engine: builds the whole user API (waiting, heartbeats, lost-lease signals, fencing, retries of
 * transient failures) on any {@link dev.leasehold.lock.spi.LeaseStore}.
 */
module dev.leasehold.lock.core {
    requires transitive dev.leasehold.lock.api;
    requires dev.failsafe.core;
    requires org.slf4j;

    exports dev.leasehold.lock.core;
}
