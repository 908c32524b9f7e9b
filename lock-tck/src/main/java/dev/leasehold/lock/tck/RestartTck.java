package dev.leasehold.lock.tck;

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
 * <p>The fixture is created once for the class and closed after it ({@link TckRun}).
 */
public abstract class RestartTck extends TckRun implements RestartRules {}
