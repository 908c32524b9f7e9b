package dev.leasehold.lock.cli;

import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.jdbc.JdbcLockManager;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Shows who holds a lock. */
@Command(name = "inspect", description = "Show who holds a lock: owner, token, acquired, expires (database time).")
final class InspectCommand implements Callable<Integer> {

    @Mixin
    StoreOptions store;

    @Parameters(paramLabel = "NAME", description = "The lock's name.")
    String name;

    @Option(names = "--json", description = "Print JSON, for scripts: {\"name\", \"held\", \"owner\", \"token\", …}.")
    boolean json;

    @Option(names = "--held", description = "Exit with 1 when the lock is free.")
    boolean requireHeld;

    @Override
    public Integer call() {
        try (JdbcLockManager admin = store.admin()) {
            Optional<LockInfo> info = admin.inspect(name);
            if (json) {
                System.out.println(Output.json(name, info.orElse(null)));
            } else {
                System.out.println(info.map(Output::line).orElse("lock '" + name + "' is free"));
            }
            return info.isEmpty() && requireHeld ? ExitCodes.CHECK_FAILED : ExitCodes.OK;
        } finally {
            store.close();
        }
    }
}
