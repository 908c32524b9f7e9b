package dev.leasehold.lock.tck;

import java.time.Duration;

/**
 * The times every TCK test uses, scaled by one factor so that the suite stays reliable on slow or shared machines:
 * set the environment variable {@value #SCALE_VARIABLE} (or the system property {@value #SCALE_PROPERTY}) to, say,
 * {@code 2} to double every lease, heartbeat, wait and tolerance.
 *
 * <p>At scale 1: leases of 1 s renewed every 1/3 s, tolerances of 500 ms, waits of at most 10 s.
 *
 * <p>This class is immutable and thread-safe.
 *
 * @param scale the factor applied to every base time
 */
public record TckEnvironment(double scale) {

    /** The environment variable holding the time scale. */
    public static final String SCALE_VARIABLE = "LEASEHOLD_TCK_TIME_SCALE";

    /** The system property holding the time scale; it wins over the environment variable. */
    public static final String SCALE_PROPERTY = "leasehold.tck.timeScale";

    public TckEnvironment {
        if (!(scale > 0) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException("scale is " + scale + "; pass a positive factor such as 1 or 2.5");
        }
    }

    /** The environment from {@value #SCALE_PROPERTY} or {@value #SCALE_VARIABLE}, scale 1 when neither is set. */
    public static TckEnvironment fromEnvironment() {
        String value = System.getProperty(SCALE_PROPERTY);
        String source = SCALE_PROPERTY;
        if (value == null || value.isBlank()) {
            value = System.getenv(SCALE_VARIABLE);
            source = SCALE_VARIABLE;
        }
        if (value == null || value.isBlank()) {
            return new TckEnvironment(1.0);
        }
        try {
            return new TckEnvironment(Double.parseDouble(value.strip()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(source + " is \"" + value + "\"; set it to a positive number", e);
        }
    }

    /** {@code base} times the scale. */
    public Duration scaled(Duration base) {
        return Duration.ofNanos((long) (base.toNanos() * scale));
    }

    /** The lease time of TCK managers: 1 s at scale 1. */
    public Duration leaseTime() {
        return scaled(Duration.ofSeconds(1));
    }

    /** The heartbeat interval of TCK managers: a third of the lease time. */
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
