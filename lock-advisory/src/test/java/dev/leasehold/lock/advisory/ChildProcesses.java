package dev.leasehold.lock.advisory;

import dev.leasehold.lock.testing.TestDatabase;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Starts {@link ChildHolder} in a JVM of its own and reads the token it prints. */
final class ChildProcesses {

    private ChildProcesses() {}

    /** A started child holding {@code name}, and its token once printed. */
    record Child(Process process, long token) {}

    static Child startHolder(TestDatabase db, String backend, String prefix, String name, long leaseMillis)
            throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = System.getProperty("surefire.test.class.path");
        if (classPath == null || classPath.isBlank()) {
            classPath = System.getProperty("java.class.path");
        }
        ProcessBuilder builder = new ProcessBuilder(List.of(
                java,
                "-Xshare:auto",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                classPath,
                ChildHolder.class.getName(),
                backend,
                db.jdbcUrl(),
                db.user() == null ? "" : db.user(),
                db.password() == null ? "" : db.password(),
                prefix,
                name,
                Long.toString(leaseMillis)));
        builder.redirectError(File.createTempFile("leasehold-child", ".err"));
        Process process = builder.start();
        CompletableFuture<Long> token = CompletableFuture.supplyAsync(() -> {
            try {
                BufferedReader out =
                        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    if (line.startsWith("TOKEN ")) {
                        return Long.parseLong(line.substring(6).strip());
                    }
                }
                throw new IllegalStateException("the child ended without printing its token");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            return new Child(process, token.get(60, TimeUnit.SECONDS));
        } catch (Exception e) {
            process.destroyForcibly();
            throw new AssertionError(
                    "the child holder did not report its token; stderr in "
                            + builder.redirectError().file(),
                    e);
        }
    }
}
