package dev.leasehold.lock.bench;

/**
 * One variant's rate in one round of a scenario that counts operations per second: the acquire + release cycles of
 * {@link ThroughputScenario} or the job runs of {@link ScheduledJobScenario}.
 *
 * @param db the database
 * @param threads the threads running operations at once
 * @param variant the variant's id
 * @param round the round, from 0; -1 for a warm-up
 * @param perSecond operations per second
 * @param roundTripsPerOp statement executions, commits and rollbacks per operation, counted below the pool
 * @param clientMillisPerOp milliseconds the client waited in statements per operation, summed over the threads
 * @param error null when the round ran; else what failed (the figures are then NaN)
 */
record RateRow(
        DbKind db,
        int threads,
        String variant,
        int round,
        double perSecond,
        double roundTripsPerOp,
        double clientMillisPerOp,
        String error) {

    static RateRow failed(Database db, int threads, String variant, int round, Throwable e) {
        return new RateRow(db.kind(), threads, variant, round, Double.NaN, Double.NaN, Double.NaN, Workers.describe(e));
    }
}
