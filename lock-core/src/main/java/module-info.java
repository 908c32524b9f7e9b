/**
 * The Leasehold engine: builds the whole user API (waiting, heartbeats, lost-lease signals, fencing, retries of
 * transient failures) on any {@link dev.leasehold.lock.spi.LeaseStore}. Backend authors use {@code
 * dev.leasehold.lock.core}; applications use the recipes in {@code dev.leasehold.lock.leader}; tests use the in-memory
 * reference store in {@code dev.leasehold.lock.core.memory}, which is deliberately not a ServiceLoader provider here
 * (the {@code memory} backend is the module {@code dev.leasehold.lock.memory}).
 */
module dev.leasehold.lock.core {
    requires transitive dev.leasehold.lock.api;
    requires dev.failsafe.core;
    requires org.slf4j;

    exports dev.leasehold.lock.core;
    exports dev.leasehold.lock.leader;
    exports dev.leasehold.lock.core.memory;
    // Crash simulation (EngineAccess.abandon) for the TCK and the command's demo only.
    exports dev.leasehold.lock.core.internal to
            dev.leasehold.lock.tck,
            dev.leasehold.lock.cli;
}
