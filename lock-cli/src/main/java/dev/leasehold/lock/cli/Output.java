package dev.leasehold.lock.cli;

import dev.leasehold.lock.LockInfo;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** How the command prints locks: a line, a table, or JSON for scripts. */
final class Output {

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    private Output() {}

    static String time(Instant t) {
        return TIME.format(t);
    }

    static String line(LockInfo info) {
        return "lock '" + info.name() + "' is held by " + info.ownerId() + " (token " + info.token() + "), acquired "
                + time(info.acquiredAt()) + " UTC, expires " + time(info.expiresAt()) + " UTC (database clock)";
    }

    static String table(List<LockInfo> locks) {
        int nameWidth = Math.max(
                4, locks.stream().mapToInt(l -> l.name().length()).max().orElse(0));
        int ownerWidth = Math.max(
                5, locks.stream().mapToInt(l -> l.ownerId().length()).max().orElse(0));
        String format = "%-" + nameWidth + "s  %-" + ownerWidth + "s  %8s  %-23s  %-23s%n";
        StringBuilder s = new StringBuilder(
                String.format(format, "NAME", "OWNER", "TOKEN", "ACQUIRED (UTC)", "EXPIRES (UTC, database)"));
        for (LockInfo l : locks) {
            s.append(
                    String.format(format, l.name(), l.ownerId(), l.token(), time(l.acquiredAt()), time(l.expiresAt())));
        }
        return s.toString();
    }

    static String json(String name, LockInfo info) {
        if (info == null) {
            return "{\"name\":" + quote(name) + ",\"held\":false}";
        }
        return "{\"name\":" + quote(info.name()) + ",\"held\":true,\"owner\":" + quote(info.ownerId())
                + ",\"token\":" + info.token() + ",\"acquiredAt\":"
                + quote(info.acquiredAt().toString())
                + ",\"expiresAt\":" + quote(info.expiresAt().toString()) + "}";
    }

    static String json(List<LockInfo> locks) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < locks.size(); i++) {
            s.append(i == 0 ? "" : ",").append(json(locks.get(i).name(), locks.get(i)));
        }
        return s.append(']').toString();
    }

    static String quote(String text) {
        StringBuilder s = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                case '\n' -> s.append("\\n");
                case '\r' -> s.append("\\r");
                case '\t' -> s.append("\\t");
                default -> {
                    if (c < 0x20) {
                        s.append(String.format("\\u%04x", (int) c));
                    } else {
                        s.append(c);
                    }
                }
            }
        }
        return s.append('"').toString();
    }
}
