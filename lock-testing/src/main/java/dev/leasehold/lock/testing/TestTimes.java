package dev.leasehold.lock.testing;

import java.time.Duration;

/**
 * The times timing tests use, scaled by one factor so that they stay reliable on slow or shared machines: the TCK's
 * suites and the engine's own tests read them. Set the environment variable {@value #SCALE_VARIABLE} (or the system
 * property {@value #SCALE_PROPERTY}) to, say, {@code 2} to double every lease, heartbeat, wait and tolerance.
 *
 * <p>At scale 1: leases of 1 s renewed every 1/3 s, tolerances of 500 ms, waits of at most 10 s.
 *
 * <p>This class is immutable and thread-safe.
 *
 * @param scale the factor applied to every base time
 */
public record TestTimes(double scale) {

    /** The environment variable holding the time scale. */
    public static final String SCALE_VARIABLE = "LEASEHOLD_TCK_TIME_SCALE";

    /** The system property holding the time scale; it wins over the environment variable. */
    public static final String SCALE_PROPERTY = "leasehold.tck.timeScale";

    public TestTimes {
        if (!(scale > 0) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException("scale is " + scale + "; pass a positive factor such as 1 or 2.5");
        }
    }

    /** The times from {@value #SCALE_PROPERTY} or {@value #SCALE_VARIABLE}, scale 1 when neither is set. */
    public static TestTimes fromEnvironment() {
        String value = System.getProperty(SCALE_PROPERTY);
        String source = SCALE_PROPERTY;
        if (value == null || value.isBlank()) {
            value = System.getenv(SCALE_VARIABLE);
            source = SCALE_VARIABLE;
        }
        if (value == null || value.isBlank()) {
            return new TestTimes(1.0);
        }
        try {
            return new TestTimes(Double.parseDouble(value.strip()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(source + " is \"" + value + "\"; set it to a positive number", e);
        }
    }

    /** {@code base} times the scale. */
    public Duration scaled(Duration base) {
        return Duration.ofNanos((long) (base.toNanos() * scale));
    }

    /** The lease time of the tests' managers: 1 s at scale 1. */
    public Duration leaseTime() {
        return scaled(Duration.ofSeconds(1));
    }

    /** The heartbeat interval of the tests' managers: a third of the lease time. */
    public Duration heartbeat() {
        return leaseTime().dividedBy(3);
    }

    /** The tolerance for "at once", "about" and "within": 500 ms at scale 1. */
    public Duration slack() {
        return scaled(Duration.ofMillis(500));
    }

    /** The longest a test waits for something that must happen: 10 s at scale 1. */
    public Duration patience() {
        return scaled(Duration.ofSeconds(10));
    }
}
