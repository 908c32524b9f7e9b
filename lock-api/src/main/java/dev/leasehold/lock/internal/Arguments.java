package dev.leasehold.lock.internal;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Argument checks shared by the API and the engine. Every failure is an {@link IllegalArgumentException} whose message
 * names the argument and says what to pass instead; nothing here touches a store.
 *
 * <p>This class is thread-safe.
 */
public final class Arguments {

    /** The longest lock name or owner id accepted, in UTF-16 code units (at most as many characters). */
    public static final int MAX_NAME_LENGTH = 255;

    /** The longest duration accepted anywhere: lease times, heartbeats, retry delays and waits. */
    public static final Duration MAX_DURATION = Duration.ofDays(1);

    /**
     * The longest lease time of a fixed-term lease, and the longest minimum hold: a weekly or monthly job locked for its
     * whole period, with a leap day to spare.
     */
    public static final Duration MAX_FIXED_TERM = Duration.ofDays(366);

    /** The longest idle age a purge accepts: ten years (by the database clock). */
    public static final Duration MAX_IDLE_AGE = Duration.ofDays(3_653);

    /** The shortest lease time accepted. */
    public static final Duration MIN_LEASE_TIME = Duration.ofMillis(10);

    /** The longest SQL identifier accepted, in bytes (PostgreSQL truncates longer ones silently). */
    public static final int MAX_IDENTIFIER_BYTES = 63;

    private static final Pattern SCHEMA = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern PREFIX = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)?");

    private Arguments() {}

    /**
     * Checks a lock name: not null, not blank, at most {@value #MAX_NAME_LENGTH} characters, no NUL, well-formed
     * UTF-16. The name is kept exactly as given: no trimming, no case folding.
     */
    public static String lockName(String name) {
        return name(name, "name", "lock name");
    }

    /** Checks an owner id with the same rules as a lock name. */
    public static String ownerId(String ownerId) {
        return name(ownerId, "ownerId", "owner id");
    }

    private static String name(String value, String argument, String what) {
        if (value == null) {
            throw new IllegalArgumentException(argument + " must not be null: pass a non-blank " + what);
        }
        if (value.isBlank()) {
            throw new IllegalArgumentException(argument + " must not be blank: pass a " + what
                    + " with at least one visible character (got \"" + value + "\")");
        }
        if (value.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException(argument + " is " + value.length() + " characters long; a " + what
                    + " may have at most " + MAX_NAME_LENGTH + " (starts \"" + value.substring(0, 32) + "...\")");
        }
        return storable(value, argument, what);
    }

    /**
     * Checks the prefix of a generated owner id: not null (empty for none), and, as in a lock name, no NUL and
     * well-formed UTF-16.
     */
    public static String ownerIdPrefix(String prefix) {
        if (prefix == null) {
            throw new IllegalArgumentException(
                    "prefix must not be null: pass the application's name, or \"\" for an owner id without one");
        }
        return storable(prefix, "prefix", "owner id prefix");
    }

    private static String storable(String value, String argument, String what) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\0') {
                throw new IllegalArgumentException(argument + " contains a NUL character at index " + i
                        + ": databases cannot store it in a " + what + "; remove it");
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                    i++;
                    continue;
                }
                throw new IllegalArgumentException(argument + " contains a lone surrogate at index " + i
                        + ": pass well-formed UTF-16 text as the " + what);
            }
            if (Character.isLowSurrogate(c)) {
                throw new IllegalArgumentException(argument + " contains a lone surrogate at index " + i
                        + ": pass well-formed UTF-16 text as the " + what);
            }
        }
        return value;
    }

    /** Checks a lease time: positive, at least {@link #MIN_LEASE_TIME}, at most {@link #MAX_DURATION}. */
    public static Duration leaseTime(Duration leaseTime, String argument) {
        if (leaseTime != null && leaseTime.compareTo(MAX_DURATION) > 0) {
            // A renewed lease of a crashed holder blocks its lock for a whole lease time: longer ones are fixed-term.
            throw new IllegalArgumentException(argument + " is " + leaseTime + "; a lease the heartbeat renews lasts at"
                    + " most " + MAX_DURATION + " (one day): for a longer one use a fixed-term lease"
                    + " (LockOptions.builder().fixedTerm()), up to " + MAX_FIXED_TERM.toDays() + " days");
        }
        positive(leaseTime, argument);
        if (leaseTime.compareTo(MIN_LEASE_TIME) < 0) {
            throw new IllegalArgumentException(argument + " is " + leaseTime + "; a lease must last at least "
                    + MIN_LEASE_TIME + " (databases keep times to the millisecond)");
        }
        return leaseTime;
    }

    /**
     * Checks the lease time of a fixed-term lease: at least {@link #MIN_LEASE_TIME}, at most {@link #MAX_FIXED_TERM}.
     */
    public static Duration fixedTermLeaseTime(Duration leaseTime, String argument) {
        if (leaseTime == null) {
            throw new IllegalArgumentException(argument + " must not be null: pass a positive duration");
        }
        if (leaseTime.compareTo(MAX_FIXED_TERM) > 0) {
            throw new IllegalArgumentException(argument + " is " + leaseTime + "; a fixed-term lease lasts at most "
                    + MAX_FIXED_TERM + " (366 days)");
        }
        if (leaseTime.isZero() || leaseTime.isNegative()) {
            throw new IllegalArgumentException(argument + " is " + leaseTime + "; it must be positive");
        }
        if (leaseTime.compareTo(MIN_LEASE_TIME) < 0) {
            throw new IllegalArgumentException(argument + " is " + leaseTime + "; a lease must last at least "
                    + MIN_LEASE_TIME + " (databases keep times to the millisecond)");
        }
        return leaseTime;
    }

    /** Checks a minimum hold: zero or more, at most {@link #MAX_FIXED_TERM}. */
    public static Duration minHold(Duration minHold, String argument) {
        if (minHold == null) {
            throw new IllegalArgumentException(argument + " must not be null: pass a duration of zero or more");
        }
        if (minHold.isNegative()) {
            throw new IllegalArgumentException(argument + " is " + minHold + "; it must not be negative");
        }
        if (minHold.compareTo(MAX_FIXED_TERM) > 0) {
            throw new IllegalArgumentException(
                    argument + " is " + minHold + "; the longest minimum hold is " + MAX_FIXED_TERM + " (366 days)");
        }
        return minHold;
    }

    /**
     * Checks how long a lock must have been free before a purge forgets its name: positive, at most {@link
     * #MAX_IDLE_AGE}.
     */
    public static Duration idleAge(Duration idleFor, String argument) {
        if (idleFor == null) {
            throw new IllegalArgumentException(argument + " must not be null: pass how long a lock must have been free"
                    + " before its name is purged, such as Duration.ofDays(7)");
        }
        if (idleFor.isZero() || idleFor.isNegative()) {
            throw new IllegalArgumentException(argument + " is " + idleFor + "; it must be positive");
        }
        if (idleFor.compareTo(MAX_IDLE_AGE) > 0) {
            throw new IllegalArgumentException(argument + " is " + idleFor + "; the longest accepted is "
                    + MAX_IDLE_AGE.toDays() + " days (ten years): a name idle for longer is idle for that long too");
        }
        return idleFor;
    }

    /** Checks a duration that must be positive and at most {@link #MAX_DURATION}. */
    public static Duration positive(Duration value, String argument) {
        if (value == null) {
            throw new IllegalArgumentException(argument + " must not be null: pass a positive duration");
        }
        if (value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(argument + " is " + value + "; it must be positive");
        }
        return atMostMax(value, argument);
    }

    /** Checks a duration that must be at least {@code min} and at most {@link #MAX_DURATION}. */
    public static Duration atLeast(Duration value, Duration min, String argument) {
        positive(value, argument);
        if (value.compareTo(min) < 0) {
            throw new IllegalArgumentException(argument + " is " + value + "; it must be at least " + min);
        }
        return value;
    }

    /** Checks a duration that may be zero but not negative, and at most {@link #MAX_DURATION}. */
    public static Duration notNegative(Duration value, String argument) {
        if (value == null) {
            throw new IllegalArgumentException(argument + " must not be null: pass a duration of zero or more");
        }
        if (value.isNegative()) {
            throw new IllegalArgumentException(argument + " is " + value + "; it must not be negative");
        }
        return atMostMax(value, argument);
    }

    private static Duration atMostMax(Duration value, String argument) {
        if (value.compareTo(MAX_DURATION) > 0) {
            throw new IllegalArgumentException(
                    argument + " is " + value + "; the longest accepted is " + MAX_DURATION + " (one day)");
        }
        return value;
    }

    /** Checks that a heartbeat interval is shorter than the lease time it keeps alive. */
    public static void heartbeatShorterThanLease(Duration heartbeat, Duration leaseTime) {
        if (heartbeat.compareTo(leaseTime) >= 0) {
            throw new IllegalArgumentException("heartbeatInterval (" + heartbeat + ") must be shorter than leaseTime ("
                    + leaseTime + "): a lease renewed no sooner than it expires is lost between renewals;"
                    + " the default is leaseTime / 3");
        }
    }

    /** Checks that a value is not null. */
    public static <T> T notNull(T value, String argument) {
        if (value == null) {
            throw new IllegalArgumentException(argument + " must not be null");
        }
        return value;
    }

    /**
     * Checks a schema name: letters, digits and underscores, not starting with a digit, at most {@value
     * #MAX_IDENTIFIER_BYTES} bytes.
     */
    public static String schema(String schema) {
        if (schema == null) {
            throw new IllegalArgumentException(
                    "schema must not be null: pass a schema name, or leave it unset for the connection's default");
        }
        if (!SCHEMA.matcher(schema).matches()) {
            throw new IllegalArgumentException("schema \"" + schema + "\" is not a plain SQL identifier: use letters,"
                    + " digits and underscores only, not starting with a digit");
        }
        if (schema.getBytes(StandardCharsets.UTF_8).length > MAX_IDENTIFIER_BYTES) {
            throw new IllegalArgumentException("schema \"" + schema + "\" is longer than " + MAX_IDENTIFIER_BYTES
                    + " bytes; PostgreSQL would truncate it silently");
        }
        return schema;
    }

    /**
     * Checks a table prefix: empty, or letters, digits and underscores not starting with a digit, short enough that
     * {@code prefix + tableName} fits in {@value #MAX_IDENTIFIER_BYTES} bytes.
     */
    public static String tablePrefix(String prefix, String tableName) {
        if (prefix == null) {
            throw new IllegalArgumentException("tablePrefix must not be null: pass \"\" for no prefix");
        }
        if (!PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("tablePrefix \"" + prefix + "\" is not a plain SQL identifier part: use"
                    + " letters, digits and underscores only, not starting with a digit");
        }
        int bytes = (prefix + tableName).getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_IDENTIFIER_BYTES) {
            throw new IllegalArgumentException("tablePrefix \"" + prefix + "\" makes the table name " + prefix
                    + tableName + " " + bytes + " bytes long; the limit is " + MAX_IDENTIFIER_BYTES
                    + " bytes (PostgreSQL would truncate it silently)");
        }
        return prefix;
    }
}
