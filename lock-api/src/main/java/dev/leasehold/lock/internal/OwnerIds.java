package dev.leasehold.lock.internal;

import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Default owner ids ({@code [prefix:]host:pid:random}) and name-based type checks.
 *
 * <p>This class is thread-safe.
 */
public final class OwnerIds {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MAX_HOST_LENGTH = 200;

    private OwnerIds() {}

    /**
     * A new owner id, unique per call: {@code prefix:host:pid:random} (the host name cut to {@value
     * #MAX_HOST_LENGTH} characters, the process id and 8 random hex digits), without {@code prefix:} when the prefix
     * is empty. An id longer than {@link Arguments#MAX_NAME_LENGTH} keeps its end, where the random part is.
     */
    public static String generate(String prefix) {
        byte[] random = new byte[4];
        RANDOM.nextBytes(random);
        String host = host();
        if (host.length() > MAX_HOST_LENGTH) {
            host = host.substring(0, MAX_HOST_LENGTH);
        }
        // The random part keeps two managers of one process (tests, parent and child contexts) apart.
        String id = (prefix.isEmpty() ? "" : prefix + ":") + host + ":"
                + ProcessHandle.current().pid() + ":" + HexFormat.of().formatHex(random);
        if (id.length() <= Arguments.MAX_NAME_LENGTH) {
            return id;
        }
        int start = id.length() - Arguments.MAX_NAME_LENGTH;
        // Never start with the second half of a surrogate pair: the id must stay well-formed text.
        return id.substring(Character.isLowSurrogate(id.charAt(start)) ? start + 1 : start);
    }

    private static String host() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env.strip();
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "localhost";
        }
    }

    /** Whether {@code type} is, extends or implements the class or interface named {@code className}. */
    public static boolean isA(Class<?> type, String className) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            if (c.getName().equals(className)) {
                return true;
            }
            for (Class<?> i : c.getInterfaces()) {
                if (isA(i, className)) {
                    return true;
                }
            }
        }
        return false;
    }
}
