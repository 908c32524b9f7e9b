package dev.leasehold.lock.bench;

import dev.leasehold.lock.shedlock.LeaseholdLockProvider;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;
import net.javacrumbs.shedlock.core.ClockProvider;
import net.javacrumbs.shedlock.core.DefaultLockingTaskExecutor;
import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.LockProvider;
import net.javacrumbs.shedlock.core.LockingTaskExecutor;

/**
 * A scheduled job under ShedLock's {@code DefaultLockingTaskExecutor}, as a ShedLock application runs it, with the
 * {@code LockProvider} bean as the only difference: ShedLock's own JDBC providers, or Leasehold's {@link
 * LeaseholdLockProvider} over the {@code jdbc} or {@code advisory} backend. Each thread runs its own job name in a loop;
 * the job is the same for every provider, one {@code UPDATE} of a row of one work table on the process's pool
 * (auto-commit), with {@code lockAtMostFor} 30 s and {@code lockAtLeastFor} zero, so that a run can follow the last at
 * once. Providers run in {@link InterleavedRounds}; after each measurement the work table
 * must show exactly the runs the executor reported.
 */
final class ScheduledJobScenario {

    /** ShedLock's lockAtMostFor: the same lease time as every other variant. */
    private static final Duration LOCK_AT_MOST_FOR = LeaseholdClients.LEASE_TIME;

    /** The reference of every ratio: ShedLock on the database clock, as Leasehold always is. */
    static final String REFERENCE = "shedlock-template-dbtime";

    /** One provider measured. */
    record JobVariant(String id, String label, Factory factory) {}

    /** Sets a provider up once per database and opens it on a process. */
    interface Factory {
        void setUp(Database database) throws Exception;

        Opened open(Proc proc) throws Exception;
    }

    /** A provider and what closes it with the process. */
    record Opened(LockProvider provider, AutoCloseable closer) {}

    private ScheduledJobScenario() {}

    /** The providers of this database whose ids are in {@code only} (all when {@code only} is empty). */
    static List<JobVariant> variants(DbKind kind, Set<String> only) {
        List<JobVariant> all = new ArrayList<>();
        all.add(shedLock(
                REFERENCE,
                "ShedLock 6.9.2 JdbcTemplateLockProvider usingDbTime()",
                "shedlock_job_tpl",
                PeerClients::shedLockTemplateProvider));
        all.add(shedLock(
                "shedlock-jdbc",
                "ShedLock 6.9.2 JdbcLockProvider",
                "shedlock_job_plain",
                PeerClients::shedLockProvider));
        for (String backend : List.of("jdbc", "advisory")) {
            if (backend.equals("advisory") && kind != DbKind.POSTGRESQL) {
                continue;
            }
            all.add(leasehold(backend));
        }
        return only.isEmpty()
                ? all
                : all.stream().filter(v -> only.contains(v.id())).toList();
    }

    private interface ProviderOnTable {
        LockProvider create(DataSource dataSource, String table);
    }

    private static JobVariant shedLock(String id, String label, String suffix, ProviderOnTable create) {
        return new JobVariant(id, label, new Factory() {
            private String table;

            @Override
            public void setUp(Database database) throws SQLException {
                table = database.prefix() + suffix;
                database.execute(PeerClients.shedLockDdl(database.kind(), table));
            }

            @Override
            public Opened open(Proc proc) {
                return new Opened(create.create(proc.dataSource(), table), () -> {});
            }
        });
    }

    private static JobVariant leasehold(String backend) {
        return new JobVariant(
                "leasehold-provider-" + backend,
                "Leasehold LeaseholdLockProvider over " + backend + " (fixed-term leases)",
                new Factory() {
                    private String prefix;

                    @Override
                    public void setUp(Database database) {
                        prefix = database.prefix() + "s" + LeaseholdClients.code(backend) + "_";
                    }

                    @Override
                    public Opened open(Proc proc) {
                        LeaseholdClients.Client client =
                                LeaseholdClients.open(proc, backend, prefix, LeaseholdClients.LEASE_TIME, null);
                        return new Opened(new LeaseholdLockProvider(client.manager()), client);
                    }
                });
    }

    /** Creates the work table every provider's job writes: a row per thread. */
    static void setUpWork(Database db, int rows) throws SQLException {
        String table = workTable(db);
        List<String> statements = new ArrayList<>();
        statements.add("CREATE TABLE " + table + " (id INT PRIMARY KEY, runs BIGINT NOT NULL)");
        for (int i = 0; i < rows; i++) {
            statements.add("INSERT INTO " + table + " (id, runs) VALUES (" + i + ", 0)");
        }
        db.execute(statements.toArray(String[]::new));
    }

    private static String workTable(Database db) {
        return db.prefix() + "job_work";
    }

    static List<RateRow> run(Database db, List<JobVariant> variants, int threads, BenchOptions options)
            throws InterruptedException {
        return InterleavedRounds.run(
                db,
                variants,
                JobVariant::id,
                threads,
                options,
                "run",
                28,
                (v, warm, time, round) -> measure(db, v, threads, warm, time, round));
    }

    private static RateRow measure(Database db, JobVariant v, int threads, Duration warm, Duration time, int round)
            throws InterruptedException {
        String[] names = new String[threads];
        for (int i = 0; i < threads; i++) {
            // The run's prefix keeps advisory keys, which are database-wide, apart from other sessions' locks.
            names[i] = db.prefix() + "job-" + i;
        }
        String work = "UPDATE " + workTable(db) + " SET runs = runs + 1 WHERE id = ?";
        try (Proc proc = db.newProc("bench-" + v.id())) {
            Opened opened = v.factory().open(proc);
            try (AutoCloseable closer = opened.closer()) {
                LockingTaskExecutor executor = new DefaultLockingTaskExecutor(opened.provider());
                DataSource pool = proc.dataSource();
                Workers.Body run = i -> {
                    LockingTaskExecutor.TaskResult<Integer> result;
                    try {
                        result = executor.executeWithLock(
                                () -> {
                                    try (Connection c = pool.getConnection();
                                            PreparedStatement s = c.prepareStatement(work)) {
                                        s.setInt(1, i);
                                        return s.executeUpdate();
                                    }
                                },
                                new LockConfiguration(ClockProvider.now(), names[i], LOCK_AT_MOST_FOR, Duration.ZERO));
                    } catch (Exception | Error e) {
                        throw e;
                    } catch (Throwable e) {
                        throw new IllegalStateException(e);
                    }
                    if (!result.wasExecuted()) {
                        throw new IllegalStateException("an uncontended run of " + names[i] + " was skipped");
                    }
                };
                if (!warm.isZero()) {
                    Workers.Outcome w = Workers.runFor(threads, warm, run);
                    if (w.failure() != null) {
                        return RateRow.failed(db, threads, v.id(), round, w.failure());
                    }
                }
                long workBefore = workDone(db, threads);
                CountingDataSource.Counts before = proc.counts();
                Workers.Outcome outcome = Workers.runFor(threads, time, run);
                CountingDataSource.Counts used = proc.counts().minus(before);
                if (outcome.failure() != null) {
                    return RateRow.failed(db, threads, v.id(), round, outcome.failure());
                }
                long runs = outcome.total();
                long written = workDone(db, threads) - workBefore;
                if (written != runs) {
                    return RateRow.failed(
                            db,
                            threads,
                            v.id(),
                            round,
                            new IllegalStateException(
                                    "the executor reported " + runs + " runs, the work table " + written));
                }
                return new RateRow(
                        db.kind(),
                        threads,
                        v.id(),
                        round,
                        outcome.perSecond(),
                        (double) used.roundTrips() / runs,
                        used.nanos() / 1e6 / runs,
                        null);
            }
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            return RateRow.failed(db, threads, v.id(), round, e);
        }
    }

    /** The runs the work table counts over the first {@code threads} rows, read outside the measured pool. */
    private static long workDone(Database db, int threads) throws SQLException {
        try (Connection c = db.connect();
                PreparedStatement s =
                        c.prepareStatement("SELECT COALESCE(SUM(runs), 0) FROM " + workTable(db) + " WHERE id < ?")) {
            s.setInt(1, threads);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
