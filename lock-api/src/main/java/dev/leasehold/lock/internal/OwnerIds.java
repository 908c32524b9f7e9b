package dev.leasehold.lock.internal;

import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Default owner ids ({@code host:pid:random}) and name-based type checks.
 *
 * <p>This class is thread-safe.
 */
public final class OwnerIds {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MAX_HOST_LENGTH = 200;

    private OwnerIds() {}

    /** A new owner id, unique per call: host name, process id and 8 random hex digits. */
    public static String generate() {
        byte[] random = new byte[4];
        RANDOM.nextBytes(random);
        String host = host();
        if (host.length() > MAX_HOST_LENGTH) {
            host = host.substring(0, MAX_HOST_LENGTH);
        }
        return host + ":" + ProcessHandle.current().pid() + ":" + HexFormat.of().formatHex(random);
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
