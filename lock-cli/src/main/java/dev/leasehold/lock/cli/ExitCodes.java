package dev.leasehold.lock.cli;

/**
 * The exit codes of {@code leasehold}, besides the command's own exit code, which {@code run} passes through. They
 * follow sysexits(3) where one fits.
 */
final class ExitCodes {

    /** Everything worked (or, for {@code run}, the command exited with 0). */
    static final int OK = 0;

    /** A check failed: the demo's verdict, or {@code inspect --held} of a free lock. */
    static final int CHECK_FAILED = 1;

    /** Bad usage: an unknown option, a bad duration, a missing argument (EX_USAGE). */
    static final int USAGE = 64;

    /** An unexpected failure, such as a database error that outlasted the retries (EX_SOFTWARE). */
    static final int SOFTWARE = 70;

    /** The lock is held by someone else and was not acquired within --wait; with --wait 0, skipped (EX_TEMPFAIL). */
    static final int HELD = 75;

    /** The lease was lost while the command ran; the command was stopped. */
    static final int LEASE_LOST = 76;

    /** The configuration cannot work: no database at the URL, a missing schema, a missing grant (EX_CONFIG). */
    static final int CONFIG = 78;

    /** The command could not be executed (as a shell reports it). */
    static final int CANNOT_EXECUTE = 126;

    /** The command was not found (as a shell reports it). */
    static final int NOT_FOUND = 127;

    private ExitCodes() {}
}
