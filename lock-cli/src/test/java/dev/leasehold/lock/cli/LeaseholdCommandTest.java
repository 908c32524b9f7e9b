package dev.leasehold.lock.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.jdbc.JdbcLockManager;
import dev.leasehold.lock.testing.DatabaseKind;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code leasehold} command, each run in a process of its own, over the embedded store shared by processes. */
class LeaseholdCommandTest {

    @TempDir
    Path home;

    private Path log;

    @BeforeEach
    void setUp() {
        log = home.resolve("log.txt");
    }

    /** A manager in the test JVM over the same embedded store, to look at or disturb the locks. */
    private JdbcLockManager observer() {
        return JdbcLockManager.create(
                StoreOptions.embedded(home), LockSettings.builder().build());
    }

    private List<String> logLines() throws Exception {
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    @Test
    void twoConcurrentRunsOfOneLockNeverOverlap() throws Exception {
        String script = "echo \"start $LEASEHOLD_TOKEN $(date +%s%N)\" >> " + log
                + "; sleep 2; echo \"end $LEASEHOLD_TOKEN $(date +%s%N)\" >> " + log;
        LeaseholdProcess a = LeaseholdProcess.start(home, "run", "--lock", "x", "--", "sh", "-c", script);
        LeaseholdProcess b = LeaseholdProcess.start(home, "run", "--lock", "x", "--", "sh", "-c", script);
        assertThat(a.await(Duration.ofSeconds(60))).as(a.stderr()).isZero();
        assertThat(b.await(Duration.ofSeconds(60))).as(b.stderr()).isZero();
        List<String> lines = logLines();
        assertThat(lines).hasSize(4);
        List<long[]> runs = new ArrayList<>();
        for (int i = 0; i < lines.size(); i += 2) {
            String[] start = lines.get(i).split(" ");
            String[] end = lines.get(i + 1).split(" ");
            assertThat(start[0])
                    .as("a run starts and ends before the next starts: %s", lines)
                    .isEqualTo("start");
            assertThat(end[0]).isEqualTo("end");
            assertThat(end[1]).isEqualTo(start[1]);
            runs.add(new long[] {Long.parseLong(start[1]), Long.parseLong(start[2]), Long.parseLong(end[2])});
        }
        assertThat(runs.get(1)[1]).as("second start after first end").isGreaterThan(runs.get(0)[2]);
        assertThat(runs.get(1)[0]).as("tokens").isGreaterThan(runs.get(0)[0]);
    }

    @Test
    void fourRunsStartedAtOnceOnAFreshEmbeddedStoreAllGetTheirTurn() throws Exception {
        List<LeaseholdProcess> runs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            runs.add(LeaseholdProcess.start(
                    home, "run", "--lock", "crowd", "--", "sh", "-c", "echo $LEASEHOLD_TOKEN >> " + log));
        }
        for (LeaseholdProcess run : runs) {
            assertThat(run.await(Duration.ofSeconds(60))).as(run.stderr()).isZero();
        }
        assertThat(logLines()).containsExactlyInAnyOrder("1", "2", "3", "4");
    }

    @Test
    void waitZeroSkipsAHeldLockWithItsOwnExitCode() throws Exception {
        LeaseholdProcess holder = LeaseholdProcess.start(home, "run", "--lock", "cron", "--", "sleep", "4");
        try (JdbcLockManager observer = observer()) {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> observer.inspect("cron").isPresent());
            LeaseholdProcess skipped = LeaseholdProcess.run(home, "run", "--lock", "cron", "--wait", "0", "--", "true");
            assertThat(skipped.exitCode()).isEqualTo(ExitCodes.HELD);
            assertThat(skipped.stderr()).contains("lock 'cron' is held by").contains("skipped (--wait 0)");
        }
        assertThat(holder.await(Duration.ofSeconds(30))).isZero();
    }

    @Test
    void aWaitingRunSaysWhoHoldsTheLockAndUntilWhenThenRunsOnceItIsFree() throws Exception {
        try (JdbcLockManager holder = observer()) {
            var lease = holder.lock("busy").tryAcquire().orElseThrow();
            LeaseholdProcess waiter = LeaseholdProcess.start(
                    home, "run", "--verbose", "--lock", "busy", "--wait", "20s", "--", "sh", "-c", "exit 0");
            await().atMost(Duration.ofSeconds(30)).until(() -> waiter.stderr().contains("waiting for lock 'busy'"));
            assertThat(waiter.stderr())
                    .contains("held by " + holder.ownerId() + " (token " + lease.token() + ") until ")
                    .contains("(database clock); waiting at most 20s");
            lease.release();
            assertThat(waiter.await(Duration.ofSeconds(30))).as(waiter.stderr()).isZero();
            assertThat(waiter.stderr()).contains("acquired lock 'busy' (token " + (lease.token() + 1) + ")");
        }
    }

    @Test
    void aRunWhoseLeaseIsTakenAwayStopsItsCommandAndSaysSo() throws Exception {
        String script = "trap 'echo got-term >> " + log + "; exit 0' TERM; echo started >> " + log
                + "; while true; do sleep 0.1; done";
        LeaseholdProcess run = LeaseholdProcess.start(
                home, "run", "--lock", "taken", "--lease", "1s", "--grace", "5s", "--", "sh", "-c", script);
        try (JdbcLockManager observer = observer();
                LockManager thief = observer()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> logLines().contains("started"));
            assertThat(observer.forceRelease("taken")).isPresent();
            assertThat(thief.lock("taken").tryAcquire()).isPresent();
            assertThat(run.await(Duration.ofSeconds(30))).as(run.stderr()).isEqualTo(ExitCodes.LEASE_LOST);
        }
        assertThat(logLines()).contains("got-term");
        assertThat(run.stderr()).contains("was lost").contains("stopping the command");
    }

    @Test
    void theCommandsExitCodePassesThrough() throws Exception {
        LeaseholdProcess three = LeaseholdProcess.run(home, "run", "--lock", "code", "--", "sh", "-c", "exit 3");
        assertThat(three.exitCode()).as(three.stderr()).isEqualTo(3);
        LeaseholdProcess missing = LeaseholdProcess.run(home, "run", "--lock", "code", "--", "no-such-command-x");
        assertThat(missing.exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
        try (JdbcLockManager observer = observer()) {
            assertThat(observer.inspect("code"))
                    .as("released after a missing command")
                    .isEmpty();
        }
    }

    @Test
    void inspectListAndReleaseShowWhatTheDatabaseHolds() throws Exception {
        try (JdbcLockManager holder = observer()) {
            var lease = holder.lock("shown").tryAcquire().orElseThrow();
            LeaseholdProcess json = LeaseholdProcess.run(home, "inspect", "shown", "--json");
            assertThat(json.stdout().strip())
                    .startsWith("{\"name\":\"shown\",\"held\":true,\"owner\":\"" + holder.ownerId() + "\"")
                    .contains("\"token\":" + lease.token());
            LeaseholdProcess list = LeaseholdProcess.run(home, "list");
            assertThat(list.stdout()).contains("NAME").contains("shown").contains(holder.ownerId());
            LeaseholdProcess refused = LeaseholdProcess.run(home, "release", "shown");
            assertThat(refused.exitCode()).isEqualTo(ExitCodes.USAGE);
            LeaseholdProcess released = LeaseholdProcess.run(home, "release", "shown", "--force");
            assertThat(released.stdout())
                    .contains("released lock 'shown': it was held by " + holder.ownerId() + " (token " + lease.token());
            LeaseholdProcess free = LeaseholdProcess.run(home, "inspect", "shown", "--json", "--held");
            assertThat(free.stdout().strip()).isEqualTo("{\"name\":\"shown\",\"held\":false}");
            assertThat(free.exitCode()).isEqualTo(ExitCodes.CHECK_FAILED);
        }
    }

    @Test
    void purgeForgetsIdleNamesKeepsHeldOnesAndTokensGoOnGrowing() throws Exception {
        try (JdbcLockManager holder = observer()) {
            var idle = holder.lock("one-off").tryAcquire().orElseThrow();
            idle.release();
            var held = holder.lock("kept").tryAcquire().orElseThrow();
            await().pollDelay(Duration.ofMillis(300))
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> true);

            LeaseholdProcess purged = LeaseholdProcess.run(home, "purge", "--older-than", "200ms");
            assertThat(purged.exitCode()).as(purged.stderr()).isEqualTo(ExitCodes.OK);
            assertThat(purged.stdout()).contains("purged 1 name free for longer than 200ms");
            assertThat(held.isValid()).isTrue();
            assertThat(holder.inspect("kept")).isPresent();
            assertThat(holder.lock("one-off").tryAcquire().orElseThrow().token())
                    .isGreaterThan(idle.token());

            LeaseholdProcess none = LeaseholdProcess.run(home, "purge", "--older-than", "1d");
            assertThat(none.stdout()).contains("purged 0 names free for longer than 1440m");
            LeaseholdProcess zero = LeaseholdProcess.run(home, "purge", "--older-than", "0s");
            assertThat(zero.exitCode()).isEqualTo(ExitCodes.USAGE);
            assertThat(zero.stderr()).contains("--older-than").contains("positive");
            LeaseholdProcess missing = LeaseholdProcess.run(home, "purge");
            assertThat(missing.exitCode()).isEqualTo(ExitCodes.USAGE);
            assertThat(missing.stderr()).contains("--older-than");
        }
    }

    @Test
    void theDemoPrintsATimelineAndAVerdict() throws Exception {
        LeaseholdProcess demo = LeaseholdProcess.run(home, "demo", "--lease", "1s");
        assertThat(demo.exitCode()).as(demo.stdout() + demo.stderr()).isZero();
        assertThat(demo.stdout())
                .contains("CRASHED")
                .contains("[ok] fencing tokens strictly increase")
                .contains("[ok] no two workers held the lock at once")
                .contains("[ok] the crashed worker's lock was taken over")
                .contains("All checks passed.");
    }

    @Test
    void aRunKeepsItsLeaseWhileOtherRunsOfTheEmbeddedStoreStartAndExit() throws Exception {
        LeaseholdProcess server = LeaseholdProcess.start(home, "run", "--lock", "first", "--", "sleep", "1");
        assertThat(server.await(Duration.ofSeconds(30))).isZero();
        LeaseholdProcess first = LeaseholdProcess.start(home, "run", "--lock", "a", "--", "sleep", "2");
        try (JdbcLockManager observer = observer()) {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> observer.inspect("a").isPresent());
        }
        // The second run renews every 333 ms while the first one exits.
        LeaseholdProcess second =
                LeaseholdProcess.start(home, "run", "--lock", "b", "--lease", "1s", "--", "sleep", "5");
        assertThat(first.await(Duration.ofSeconds(30))).as(first.stderr()).isZero();
        assertThat(second.await(Duration.ofSeconds(30))).as(second.stderr()).isZero();
    }

    @Test
    void aRunOnPostgresqlWorksWithBothBackends() throws Exception {
        TestDatabase db = TestDatabases.get(DatabaseKind.POSTGRESQL);
        String prefix = db.uniquePrefix("cli");
        try {
            for (String backend : List.of("jdbc", "advisory")) {
                List<String> args = new ArrayList<>(List.of("run", "--lock", "pg", "--backend", backend));
                args.addAll(List.of("--url", db.jdbcUrl(), "--table-prefix", prefix));
                if (db.user() != null) {
                    args.addAll(List.of("--user", db.user()));
                }
                if (db.password() != null) {
                    args.addAll(List.of("--password", db.password()));
                }
                args.addAll(List.of("--", "sh", "-c", "echo $LEASEHOLD_TOKEN >> " + log));
                LeaseholdProcess run = LeaseholdProcess.run(home, args.toArray(String[]::new));
                assertThat(run.exitCode()).as(backend + ": " + run.stderr()).isZero();
            }
            assertThat(logLines()).containsExactly("1", "2");
        } finally {
            db.dropTablesWithPrefix(prefix);
        }
    }

    @Test
    void errorsAreOneLineSayingWhatToDoAndVerboseAddsTheStackTrace() throws Exception {
        LeaseholdProcess refused = LeaseholdProcess.run(home, "list", "--url", "jdbc:postgresql://127.0.0.1:1/nothing");
        assertThat(refused.exitCode()).isEqualTo(ExitCodes.CONFIG);
        assertThat(refused.stderr().strip().lines()).hasSize(1);
        assertThat(refused.stderr()).contains("cannot connect").contains("Check --url");
        LeaseholdProcess verbose =
                LeaseholdProcess.run(home, "list", "--verbose", "--url", "jdbc:postgresql://127.0.0.1:1/nothing");
        assertThat(verbose.stderr()).contains("\tat dev.leasehold.lock.cli.");
        LeaseholdProcess badDuration =
                LeaseholdProcess.run(home, "run", "--lock", "x", "--lease", "soon", "--", "true");
        assertThat(badDuration.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(badDuration.stderr())
                .contains("\"soon\", which is not a duration")
                .contains("500ms");
    }
}
