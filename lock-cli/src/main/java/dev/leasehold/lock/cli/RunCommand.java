package dev.leasehold.lock.cli;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockAlreadyHeldException;
import dev.leasehold.lock.LockExpiredException;
import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.RetryOptions;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Runs a command while holding a lock, like flock(1) across machines.
 *
 * <ol>
 *   <li>Acquire the lock, waiting up to --wait (none: until acquired; 0: skip if held, exit 75).
 *   <li>Run the command with LEASEHOLD_LOCK, LEASEHOLD_TOKEN and LEASEHOLD_OWNER in its environment, its input and
 *       output those of leasehold; the lease renews itself meanwhile.
 *   <li>If the lease is lost, stop the command (SIGTERM, then SIGKILL after --grace) and exit 76.
 *   <li>Otherwise release the lock and exit with the command's exit code.
 * </ol>
 */
@Command(
        name = "run",
        description = "Run a command while holding a lock; exit with its exit code.",
        footer = {
            "",
            "Example (cron, skip if another node runs it):",
            "  leasehold run --lock nightly-report --wait 0 -- ./report.sh"
        })
final class RunCommand implements Callable<Integer> {

    @Mixin
    StoreOptions store;

    @Option(names = "--lock", required = true, paramLabel = "NAME", description = "The lock's name.")
    String name;

    @Option(
            names = "--lease",
            defaultValue = "30s",
            description = "Lease time: how long a crashed holder keeps the lock (default 30s).")
    Duration lease;

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

    @Override
    public Integer call() throws Exception {
        RetryOptions retry = RetryOptions.builder()
                .maxRetries(-1)
                .delay(Duration.ofMillis(100))
                .backoff(Duration.ofMillis(500), 1.5)
                .jitter(0.2)
                .build();
        try (LockManager locks = store.manager(lease, retry, owner)) {
            Optional<Lease> acquired = acquire(locks);
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

    private Optional<Lease> acquire(LockManager locks) {
        Optional<Lease> first = locks.lock(name).tryAcquire();
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
            return Optional.of(locks.lock(name).acquire(maxWait));
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
            lease.release();
            boolean missing = e.getMessage() != null && e.getMessage().contains("error=2,");
            System.err.println("leasehold: cannot run " + command.get(0) + ": " + e.getMessage());
            return missing ? ExitCodes.NOT_FOUND : ExitCodes.CANNOT_EXECUTE;
        }
        AtomicReference<LockExpiredException> lost = new AtomicReference<>();
        lease.onLost(e -> {
            lost.set(e);
            System.err.println("leasehold: " + e.getMessage() + "; stopping the command (SIGTERM, SIGKILL after "
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
            System.err.println("leasehold: released lock '" + name + "'; the command exited with " + code);
        }
        return code;
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
