package dev.leasehold.lock.cli;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockAlreadyHeldException;
import dev.leasehold.lock.LockExpiredException;
import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.LockOptions;
import dev.leasehold.lock.RetryOptions;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Runs a command while holding a lock, like flock(1) across machines.
 *
 * <ol>
 *   <li>Acquire the lock, waiting up to --wait (none: until acquired; 0: skip if held, exit 75).
 *   <li>Run the command with LEASEHOLD_LOCK, LEASEHOLD_TOKEN and LEASEHOLD_OWNER in its environment, its input and
 *       output those of leasehold; the lease renews itself meanwhile, unless it is fixed-term (--no-heartbeat,
 *       --max-time), which ends its lease time after the grant.
 *   <li>If the lease is lost or its fixed term ends, stop the command (SIGTERM, then SIGKILL after --grace) and exit
 *       76.
 *   <li>Otherwise release the lock, with the minimum hold of --min-hold (the lock stays held until that long after
 *       the grant, by the database clock, after leasehold has exited), and exit with the command's exit code.
 * </ol>
 */
@Command(
        name = "run",
        description = "Run a command while holding a lock; exit with its exit code.",
        footer = {
            "",
            "Example (cron on several nodes: run once, skip if another node runs or just ran it):",
            "  leasehold run --lock nightly-report --wait 0 --min-hold 5m -- ./report.sh"
        })
final class RunCommand implements Callable<Integer> {

    @Mixin
    StoreOptions store;

    @Spec
    CommandSpec spec;

    @Option(names = "--lock", required = true, paramLabel = "NAME", description = "The lock's name.")
    String name;

    @Option(
            names = "--lease",
            description = "Lease time: how long a crashed holder keeps the lock (default 30s; at most 1d, or 366d"
                    + " with --no-heartbeat).")
    Duration lease;

    @Option(
            names = "--min-hold",
            description = "Keep the lock held until at least this long after it was acquired (database clock), even"
                    + " when the command finishes sooner and after leasehold exits; at most 366d. Default: none.")
    Duration minHold;

    @Option(
            names = "--no-heartbeat",
            description = "Never renew the lease: it ends --lease after it was acquired, and the command is stopped"
                    + " then (exit 76).")
    boolean noHeartbeat;

    @Option(
            names = "--max-time",
            description = "Hard limit: the lease is not renewed and ends this long after it was acquired; the command"
                    + " is stopped then (exit 76). Same as --no-heartbeat --lease DURATION; at most 366d.")
    Duration maxTime;

    @Option(
            names = "--wait",
            description = "How long to wait for a held lock; 0 skips at once (exit 75). Default: until acquired"
                    + " (at most a day).")
    Duration wait;

    @Option(
            names = "--grace",
            defaultValue = "10s",
            description = "After a lost lease: how long the command has to exit after SIGTERM before SIGKILL.")
    Duration grace;

    @Option(names = "--owner", description = "Owner id stored with the lease. Default: host:pid:random.")
    String owner;

    @Parameters(arity = "1..*", paramLabel = "COMMAND", description = "The command and its arguments, after --.")
    List<String> command;

    /** The manager's lease time when neither --lease nor --max-time says otherwise. */
    private static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);

    @Override
    public Integer call() throws Exception {
        LockOptions options = lockOptions();
        RetryOptions retry = RetryOptions.builder()
                .maxRetries(-1)
                .delay(Duration.ofMillis(100))
                .backoff(Duration.ofMillis(500), 1.5)
                .jitter(0.2)
                .build();
        // The manager's own lease time is a renewed one's (at most a day); a fixed term is the lock's option.
        Duration managerLease =
                options.fixedTerm() ? DEFAULT_LEASE : options.leaseTime().orElseThrow();
        try (LockManager locks = store.manager(managerLease, retry, owner)) {
            Optional<Lease> acquired = acquire(locks, options);
            if (acquired.isEmpty()) {
                return ExitCodes.HELD;
            }
            return runHolding(acquired.get());
        } finally {
            store.close();
        }
    }

    private boolean verbose() {
        return store.verbose;
    }

    /**
     * The lock's options from --lease, --no-heartbeat, --max-time and --min-hold.
     *
     * @throws CommandLine.ParameterException if they contradict each other or a value is out of range
     */
    private LockOptions lockOptions() {
        CommandLine cmd = spec.commandLine();
        if (maxTime != null && lease != null) {
            throw new CommandLine.ParameterException(
                    cmd, "--max-time sets the lease time of a fixed-term lease: give --max-time or --lease, not both");
        }
        boolean fixedTerm = noHeartbeat || maxTime != null;
        Duration leaseTime = maxTime != null ? maxTime : lease != null ? lease : DEFAULT_LEASE;
        LockOptions.Builder b = LockOptions.builder().leaseTime(leaseTime);
        if (fixedTerm) {
            b.fixedTerm();
        }
        try {
            if (minHold != null) {
                b.minHold(minHold);
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            String option =
                    e.getMessage().startsWith("minHold") ? "--min-hold" : maxTime != null ? "--max-time" : "--lease";
            String hint = e.getMessage().contains("fixedTerm()") ? " (here: --no-heartbeat or --max-time)" : "";
            throw new CommandLine.ParameterException(cmd, option + ": " + e.getMessage() + hint);
        }
    }

    private Optional<Lease> acquire(LockManager locks, LockOptions options) {
        Optional<Lease> first = locks.lock(name, options).tryAcquire();
        if (first.isPresent() || (wait != null && wait.isZero())) {
            if (first.isEmpty()) {
                System.err.println("leasehold: lock '" + name + "' is " + holder(locks) + "; skipped (--wait 0)");
            }
            return first;
        }
        if (System.console() != null || verbose()) {
            System.err.println("leasehold: waiting for lock '" + name + "', " + holder(locks)
                    + (wait == null ? "" : "; waiting at most " + Durations.format(wait)));
        }
        try {
            Duration maxWait = wait == null ? Duration.ofDays(1) : wait;
            return Optional.of(locks.lock(name, options).acquire(maxWait));
        } catch (LockAlreadyHeldException e) {
            System.err.println("leasehold: lock '" + name + "' is still " + holder(locks) + " after "
                    + Durations.format(wait) + "; not run");
            return Optional.empty();
        }
    }

    private static String describe(LockInfo info) {
        return "held by " + info.ownerId() + " (token " + info.token() + ") until " + Output.time(info.expiresAt())
                + " UTC (database clock)";
    }

    private String holder(LockManager locks) {
        return locks.inspect(name).map(RunCommand::describe).orElse("held");
    }

    private int runHolding(Lease lease) throws InterruptedException {
        if (verbose()) {
            System.err.println("leasehold: acquired lock '" + name + "' (token " + lease.token() + ")");
        }
        ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
        builder.environment().put("LEASEHOLD_LOCK", name);
        builder.environment().put("LEASEHOLD_TOKEN", Long.toString(lease.token()));
        builder.environment().put("LEASEHOLD_OWNER", lease.ownerId());
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            lease.release(Duration.ZERO); // the command never ran: nothing to hold the lock for

            boolean missing = e.getMessage() != null && e.getMessage().contains("error=2,");
            System.err.println("leasehold: cannot run " + command.get(0) + ": " + e.getMessage());
            return missing ? ExitCodes.NOT_FOUND : ExitCodes.CANNOT_EXECUTE;
        }
        AtomicReference<LockExpiredException> lost = new AtomicReference<>();
        lease.onLost(e -> {
            lost.set(e);
            String why = noHeartbeat || maxTime != null
                    ? "the lease's fixed term of " + Durations.format(maxTime != null ? maxTime : lease()) + " ended"
                    : e.getMessage();
            System.err.println("leasehold: " + why + "; stopping the command (SIGTERM, SIGKILL after "
                    + Durations.format(grace) + ")");
            stop(process);
        });
        Thread onSignal = new Thread(() -> {
            stop(process);
            try {
                process.waitFor(grace.toMillis() + 1_000, TimeUnit.MILLISECONDS);
                lease.release();
            } catch (RuntimeException | InterruptedException e) {
                // The lease expires on its own.
            }
        });
        Runtime.getRuntime().addShutdownHook(onSignal);
        int code = process.waitFor();
        try {
            Runtime.getRuntime().removeShutdownHook(onSignal);
        } catch (IllegalStateException shuttingDown) {
            return code;
        }
        if (lost.get() != null) {
            return ExitCodes.LEASE_LOST;
        }
        try {
            lease.release();
        } catch (LockExpiredException e) {
            System.err.println("leasehold: " + e.getMessage() + " (the command had finished with " + code + ")");
            return ExitCodes.LEASE_LOST;
        }
        if (verbose()) {
            System.err.println("leasehold: released lock '" + name + "'"
                    + (minHold == null || minHold.isZero()
                            ? ""
                            : " with a minimum hold of " + Durations.format(minHold) + " from its grant")
                    + "; the command exited with " + code);
        }
        return code;
    }

    private Duration lease() {
        return lease != null ? lease : DEFAULT_LEASE;
    }

    /** SIGTERM now, SIGKILL after the grace period, without blocking the caller. */
    private void stop(Process process) {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        Thread killer = new Thread(
                () -> {
                    try {
                        if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                            process.destroyForcibly();
                        }
                    } catch (InterruptedException e) {
                        process.destroyForcibly();
                    }
                },
                "leasehold-stop");
        killer.setDaemon(true);
        killer.start();
    }
}
