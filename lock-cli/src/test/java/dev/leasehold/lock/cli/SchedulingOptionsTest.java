package dev.leasehold.lock.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.jdbc.JdbcLockManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code leasehold run}'s options for scheduled jobs ({@code --min-hold}, {@code --max-time}, {@code --no-heartbeat}),
 * each run in a process of its own over the embedded store shared by processes.
 */
class SchedulingOptionsTest {

    @TempDir
    Path home;

    private JdbcLockManager observer() {
        return JdbcLockManager.create(
                StoreOptions.embedded(home), LockSettings.builder().build());
    }

    private List<String> lines(Path file) throws Exception {
        return Files.exists(file) ? Files.readAllLines(file) : List.of();
    }

    /**
     * The cron case: a job that finishes at once on the node whose cron fired first must not run again on a node
     * whose cron fires a second later. The hold outlives the first process: the row says so.
     */
    @Test
    void twoRunsStartedASecondApartWithAMinimumHoldRunTheJobOnce() throws Exception {
        Path log = home.resolve("ran.txt");
        String[] args = {
            "run", "--lock", "nightly", "--wait", "0", "--min-hold", "5s", "--", "sh", "-c", "echo ran >> " + log
        };
        long start = System.nanoTime();
        LeaseholdProcess first = LeaseholdProcess.run(home, args);
        assertThat(first.exitCode()).as(first.stderr()).isZero();
        assertThat(lines(log)).containsExactly("ran");

        try (JdbcLockManager observer = observer()) {
            // The first process has exited: only the row keeps the lock now.
            LockInfo held = observer.inspect("nightly")
                    .orElseThrow(
                            () -> new AssertionError("the lock is free after the first run exited: " + first.stderr()));
            assertThat(Duration.between(held.acquiredAt(), held.expiresAt()))
                    .as("the hold ends 5 s after the grant, by the database clock")
                    .isEqualTo(Duration.ofSeconds(5));
            assertThat(observer.lock("nightly").tryAcquire())
                    .as("a grant after the process exited")
                    .isEmpty();

            await().pollDelay(Duration.ofNanos(Math.max(0, start + 1_000_000_000L - System.nanoTime())))
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> true);
            LeaseholdProcess second = LeaseholdProcess.run(home, args);
            assertThat(second.exitCode()).as(second.stderr()).isEqualTo(ExitCodes.HELD);
            assertThat(second.stderr()).contains("skipped (--wait 0)");
            assertThat(lines(log)).as("the job ran once").containsExactly("ran");

            AtomicReference<Lease> after = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> {
                        Optional<Lease> got = observer.lock("nightly").tryAcquire();
                        got.ifPresent(after::set);
                        return got.isPresent();
                    });
            assertThat(after.get().token()).as("the token after the hold").isGreaterThan(held.token());
            assertThat(after.get().acquiredAt()).isAfterOrEqualTo(held.expiresAt());
            after.get().release();
        }
    }

    @Test
    void maxTimeStopsACommandThatRunsLonger() throws Exception {
        Path log = home.resolve("long.txt");
        String script = "trap 'echo got-term >> " + log + "; exit 0' TERM; echo started >> " + log
                + "; while true; do sleep 0.1; done";
        long start = System.nanoTime();
        LeaseholdProcess run = LeaseholdProcess.run(
                home, "run", "--lock", "long", "--max-time", "2s", "--grace", "2s", "--", "sh", "-c", script);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(run.exitCode()).as(run.stderr()).isEqualTo(ExitCodes.LEASE_LOST);
        assertThat(run.stderr()).contains("the lease's fixed term of 2s ended").contains("stopping the command");
        assertThat(lines(log)).containsExactly("started", "got-term");
        assertThat(took).as("stopped at the end of the term, not before").isGreaterThan(Duration.ofSeconds(2));
    }

    @Test
    void noHeartbeatMakesTheLeaseTimeAHardLimit() throws Exception {
        LeaseholdProcess run = LeaseholdProcess.run(
                home, "run", "--lock", "hard", "--no-heartbeat", "--lease", "1s", "--grace", "1s", "--", "sleep", "30");
        assertThat(run.exitCode()).as(run.stderr()).isEqualTo(ExitCodes.LEASE_LOST);
        assertThat(run.stderr()).contains("the lease's fixed term of 1s ended");
    }

    @Test
    void aCommandThatEndsWithinMaxTimeReleasesAndPassesItsExitCode() throws Exception {
        LeaseholdProcess run = LeaseholdProcess.run(home, "run", "--lock", "quick", "--max-time", "10d", "--", "true");
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        try (JdbcLockManager observer = observer()) {
            assertThat(observer.inspect("quick")).isEmpty();
        }
    }

    @Test
    void contradictoryOrOutOfRangeOptionsAreUsageErrors() throws Exception {
        LeaseholdProcess both =
                LeaseholdProcess.run(home, "run", "--lock", "x", "--max-time", "1s", "--lease", "2s", "--", "true");
        assertThat(both.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(both.stderr()).contains("give --max-time or --lease, not both");

        LeaseholdProcess longRenewed = LeaseholdProcess.run(home, "run", "--lock", "x", "--lease", "2d", "--", "true");
        assertThat(longRenewed.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(longRenewed.stderr()).contains("--lease").contains("fixed-term");

        LeaseholdProcess longHold =
                LeaseholdProcess.run(home, "run", "--lock", "x", "--min-hold", "400d", "--", "true");
        assertThat(longHold.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(longHold.stderr()).contains("--min-hold").contains("366 days");
    }
}
