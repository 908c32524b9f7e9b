package dev.leasehold.lock.bench;

/**
 * One thing measured: a lock library, a Leasehold backend or a raw JDBC floor, on one database.
 *
 * @param id short stable name used in options and CSV files, such as {@code leasehold-jdbc}
 * @param label what the report calls it
 * @param role how the report groups it
 * @param isLock false for {@code SELECT 1}, which takes part in the throughput scenario only
 * @param canWait whether {@link LockClient#acquire} waits, so that the variant takes part in the handoff scenario
 * @param factory opens the variant's client on a simulated process
 */
record Variant(String id, String label, Role role, boolean isLock, boolean canWait, Factory factory) {

    /** How the report groups variants. */
    enum Role {
        /** The floor every ratio is taken to. */
        FLOOR,
        /** Raw JDBC figures for orientation: {@code SELECT 1}, raw advisory locks, a durable upsert. */
        RAW,
        /** A Leasehold backend, built through {@code Locks.builder()}. */
        LEASEHOLD,
        /** Another library, a benchmark-only dependency. */
        PEER
    }

    /** Opens a client of this variant; {@code setUp} has created the variant's tables before. */
    interface Factory {
        /** Creates the variant's tables, once per run and database. */
        void setUp(Database database) throws Exception;

        /** A client on this process. */
        LockClient open(Proc proc) throws Exception;
    }

    boolean isLeasehold() {
        return role == Role.LEASEHOLD;
    }
}
