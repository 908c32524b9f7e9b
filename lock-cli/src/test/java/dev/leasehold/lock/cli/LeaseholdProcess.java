package dev.leasehold.lock.cli;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A {@code leasehold} command run in a JVM of its own, with the embedded store in a test directory. */
final class LeaseholdProcess {

    private static final String CLASS_PATH =
            System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));

    final Process process;
    final Path out;
    final Path err;

    private LeaseholdProcess(Process process, Path out, Path err) {
        this.process = process;
        this.out = out;
        this.err = err;
    }

    static LeaseholdProcess start(Path home, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(CLASS_PATH);
        command.add(Main.class.getName());
        command.addAll(List.of(args));
        Path out = Files.createTempFile(home, "out", ".txt");
        Path err = Files.createTempFile(home, "err", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(home.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put(StoreOptions.HOME_VARIABLE, home.toString());
        builder.environment().remove(StoreOptions.URL_VARIABLE);
        return new LeaseholdProcess(builder.start(), out, err);
    }

    /** Runs to the end and returns the exit code. */
    static LeaseholdProcess run(Path home, String... args) throws Exception {
        LeaseholdProcess p = start(home, args);
        p.await(Duration.ofSeconds(60));
        return p;
    }

    int await(Duration max) throws InterruptedException {
        if (!process.waitFor(max.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("leasehold did not finish within " + max + "; stderr: " + stderr());
        }
        return process.exitValue();
    }

    int exitCode() {
        return process.exitValue();
    }

    String stdout() {
        return read(out);
    }

    String stderr() {
        return read(err);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
