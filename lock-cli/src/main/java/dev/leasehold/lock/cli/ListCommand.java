package dev.leasehold.lock.cli;

import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.jdbc.JdbcLockManager;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Lists the locks held right now. */
@Command(name = "list", description = "List the locks held right now, by database time.")
final class ListCommand implements Callable<Integer> {

    @Mixin
    StoreOptions store;

    @Option(names = "--json", description = "Print a JSON array, for scripts.")
    boolean json;

    @Override
    public Integer call() {
        try (JdbcLockManager admin = store.admin()) {
            List<LockInfo> locks = admin.list();
            if (json) {
                System.out.println(Output.json(locks));
            } else if (locks.isEmpty()) {
                System.out.println("no locks are held in " + store.describe());
            } else {
                System.out.print(Output.table(locks));
            }
            return ExitCodes.OK;
        } finally {
            store.close();
        }
    }
}
