package dev.leasehold.lock.cli;

import dev.leasehold.lock.LockBackendException;
import dev.leasehold.lock.LockConfigurationException;
import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code leasehold} command. Errors are one line saying what to do; {@code --verbose} adds the stack trace.
 *
 * <p>Exit codes are those of {@link ExitCodes}; {@code run} passes the command's own through.
 */
@Command(
        name = "leasehold",
        mixinStandardHelpOptions = true,
        version = "leasehold 0.1.0",
        description = "Distributed locks kept in a relational database.",
        subcommands = {
            RunCommand.class,
            ListCommand.class,
            InspectCommand.class,
            ReleaseCommand.class,
            PurgeCommand.class,
            DemoCommand.class,
            CommandLine.HelpCommand.class
        },
        footer = {
            "",
            "Exit codes: 0 ok; the command's own code (run); 1 check failed; 64 usage; 70 database or internal"
                    + " error; 75 lock held, not acquired within --wait; 76 lease lost, command stopped;"
                    + " 78 configuration error; 126/127 command not executable/found."
        })
public final class Main {

    /** Runs the command line and returns the exit code. */
    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.registerConverter(Duration.class, new Durations());
        cli.setExitCodeExceptionMapper(Main::exitCode);
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            boolean verbose = false;
            for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
                verbose |= p.hasMatchedOption("--verbose");
            }
            PrintWriter err = line.getErr();
            err.println("leasehold: " + message(e));
            if (verbose) {
                e.printStackTrace(err);
            }
            err.flush();
            return exitCode(e);
        });
        cli.setParameterExceptionHandler((e, args2) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println("leasehold: " + e.getMessage());
            err.println("Try 'leasehold " + e.getCommandLine().getCommandName() + " --help' for usage.");
            err.flush();
            return ExitCodes.USAGE;
        });
        return cli.execute(args);
    }

    public static void main(String[] args) {
        // Library logs go to stderr at WARN (a lost lease is logged there too); set -Dorg.slf4j.simpleLogger... to
        // change.
        System.setProperty(
                "org.slf4j.simpleLogger.defaultLogLevel",
                System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        System.exit(execute(args));
    }

    private static int exitCode(Throwable e) {
        if (e instanceof LockConfigurationException) {
            return ExitCodes.CONFIG;
        }
        if (e instanceof CommandLine.ParameterException || e instanceof IllegalArgumentException) {
            return ExitCodes.USAGE;
        }
        return ExitCodes.SOFTWARE;
    }

    private static String message(Throwable e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        if (e instanceof LockBackendException) {
            m += ". Check --url and that the database is up.";
        } else if (e instanceof LockConfigurationException
                && (m.contains("cannot reach the database") || m.startsWith("cannot connect"))) {
            m += ". Check --url, --user and --password, or leave --url out for the embedded store.";
        }
        return m.replace('\n', ' ');
    }
}
