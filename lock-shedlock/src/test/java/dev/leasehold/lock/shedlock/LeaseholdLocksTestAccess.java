package dev.leasehold.lock.shedlock;

/** Leaves no current lease behind on the test thread when a test failed before its unlock. */
final class LeaseholdLocksTestAccess {
    private LeaseholdLocksTestAccess() {}

    static void clear() {
        LeaseholdLocks.forgetAll();
    }
}
