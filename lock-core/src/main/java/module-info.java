/**
 * The Leasehold engine: builds the whole user API (waiting, heartbeats, lost-lease signals, fencing, retries of
 * transient failures) on any {@link dev.leasehold.lock.spi.LeaseStore}. Backend authors use {@code
 * dev.leasehold.lock.core}; applications use the recipes in {@code dev.leasehold.lock.leader}.
 */
module dev.leasehold.lock.core {
    requires transitive dev.leasehold.lock.api;
    requires dev.failsafe.core;
    requires org.slf4j;

    exports dev.leasehold.lock.core;
    exports dev.leasehold.lock.leader;
    // Crash simulation (EngineAccess.abandon) for the TCK and the command's demo only.
    exports dev.leasehold.lock.core.internal to
            dev.leasehold.lock.tck,
            dev.leasehold.lock.cli;
}
