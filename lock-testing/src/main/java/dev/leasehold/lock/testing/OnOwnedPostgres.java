package dev.leasehold.lock.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * A base for test classes that stop, crash and restart a PostgreSQL of their own: one {@link OwnedPostgres} for the
 * class, running again after each test, and what a test made ({@link #pool pools}, {@link #tablePrefix tables},
 * anything given to {@link #closeAfterTest}) closed or dropped after it, newest first.
 *
 * <p>Not thread-safe: its methods are for the test's own thread.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class OnOwnedPostgres {

    private final List<AutoCloseable> resources = new ArrayList<>();

    /** The tests' own server; set before the first test. */
    protected OwnedPostgres pg;

    /** Threads for work a test runs beside its own, such as a waiting {@code acquire}; stopped after the class. */
    protected final ExecutorService threads = Executors.newCachedThreadPool();

    @BeforeAll
    void startOwnedPostgres() {
        pg = OwnedPostgres.create();
    }

    @AfterAll
    void stopOwnedPostgres() {
        threads.shutdownNow();
        if (pg != null) {
            pg.close();
        }
    }

    @AfterEach
    void closeWhatTheTestMade() throws Exception {
        pg.start();
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
        resources.clear();
    }

    /** {@code resource}, closed after the test (before what was registered earlier). */
    protected <T extends AutoCloseable> T closeAfterTest(T resource) {
        resources.add(resource);
        return resource;
    }

    /** A pool of the tests' server ({@link TestDatabase#newPool}), closed after the test. */
    protected TestPool pool(String name, int size) {
        return closeAfterTest(pg.database().newPool(name, size));
    }

    /** A table prefix of this test's own ({@link TestDatabase#uniquePrefix}); its tables are dropped after the test. */
    protected String tablePrefix(String base) {
        String prefix = pg.database().uniquePrefix(base);
        closeAfterTest(() -> pg.database().dropTablesWithPrefix(prefix));
        return prefix;
    }
}
