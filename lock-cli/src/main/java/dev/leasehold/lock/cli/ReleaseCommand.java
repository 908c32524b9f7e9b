package dev.leasehold.lock.cli;

import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.jdbc.JdbcLockManager;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Frees a lock whoever holds it. */
@Command(
        name = "release",
        description = "Free a lock whoever holds it (administration): the holder learns at its next renewal that"
                + " its lease is gone. Requires --force.")
final class ReleaseCommand implements Callable<Integer> {

    @Mixin
    StoreOptions store;

    @Parameters(paramLabel = "NAME", description = "The lock's name.")
    String name;

    @Option(names = "--force", description = "Confirm: free the lock even though another owner holds it.")
    boolean force;

    @Override
    public Integer call() {
        if (!force) {
            System.err.println("leasehold: release frees a lock that another owner holds; add --force to do it");
            return ExitCodes.USAGE;
        }
        try (JdbcLockManager admin = store.admin()) {
            Optional<LockInfo> freed = admin.forceRelease(name);
            System.out.println(freed.map(f -> "released lock '" + name + "': it was held by " + f.ownerId() + " (token "
                            + f.token() + ") since " + Output.time(f.acquiredAt()) + " UTC")
                    .orElse("lock '" + name + "' was not held; nothing to release"));
            return ExitCodes.OK;
        } finally {
            store.close();
        }
    }
}
