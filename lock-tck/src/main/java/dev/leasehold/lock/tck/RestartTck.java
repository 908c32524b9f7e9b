package dev.leasehold.lock.tck;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * The restart rules ({@link RestartRules}) alone, for a fixture over a database of the test's own that {@link
 * TckFixture#restartDatabase} may restart, such as one on lock-testing's {@code OwnedPostgres}. A backend
 * runs the whole TCK ({@link LeaseholdTck}) on its usual test database, where these rules abort because that database
 * is shared, and this class over a database it owns:
 *
 * <pre>{@code
 * class MyBackendRestartTckTest extends RestartTck {
 *     protected TckFixture createFixture() {
 *         OwnedPostgres pg = OwnedPostgres.create();
 *         return new MyFixture(pg); // restartDatabase calls pg.restart; close closes pg
 *     }
 * }
 * }</pre>
 *
 * <p>The fixture is created once for the class and closed after it. Times come from {@link TckEnvironment}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class RestartTck implements RestartRules {

    private TckContext context;

    /** The fixture under test, over a database it may restart; called once before the first rule. */
    protected abstract TckFixture createFixture() throws Exception;

    /** The time environment; by default from {@link TckEnvironment#fromEnvironment()}. */
    protected TckEnvironment environment() {
        return TckEnvironment.fromEnvironment();
    }

    @BeforeAll
    void startTck() throws Exception {
        context = new TckContext(createFixture(), environment());
    }

    @AfterAll
    void stopTck() throws Exception {
        if (context != null) {
            context.closeManagers();
            context.fixture().close();
        }
    }

    @Override
    public final TckContext tck() {
        return context;
    }
}
