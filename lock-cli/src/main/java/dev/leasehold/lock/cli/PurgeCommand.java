package dev.leasehold.lock.cli;

import dev.leasehold.lock.internal.Arguments;
import dev.leasehold.lock.jdbc.JdbcLockManager;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Purges the names of locks that have been free for longer than a given age. */
@Command(
        name = "purge",
        description = "Forget the names of locks free for longer than --older-than by the database clock (released,"
                + " or their lease expired, that long ago), so that one-off lock names do not keep a row each."
                + " Tokens never go back: a purged name locked again gets a larger token. Held locks and minimum"
                + " holds are kept. Every manager on the table must be of this version or later.")
final class PurgeCommand implements Callable<Integer> {

    @Mixin
    StoreOptions store;

    @Option(
            names = "--older-than",
            required = true,
            paramLabel = "DURATION",
            converter = Durations.class,
            description = "How long a lock must have been free to be purged, such as 7d or 12h; positive, at most"
                    + " ten years.")
    Duration olderThan;

    @Override
    public Integer call() {
        Arguments.idleAge(olderThan, "--older-than"); // before connecting
        try (JdbcLockManager admin = store.admin()) {
            long purged = admin.purgeIdle(olderThan);
            System.out.println("purged " + purged + (purged == 1 ? " name" : " names") + " free for longer than "
                    + Durations.format(olderThan));
            return ExitCodes.OK;
        } finally {
            store.close();
        }
    }
}
