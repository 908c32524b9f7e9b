package dev.leasehold.lock.tck;

import org.junit.jupiter.api.AfterEach;

/**
 * The base of every rule suite: gives the tests their {@link TckContext} and closes the managers each test made. The
 * suites are interfaces whose tests are default methods, so that {@link LeaseholdTck} runs them all in the backend's
 * own test class; a test class may also implement a single suite and {@link #tck()}.
 */
public interface TckSuite {

    /** The context of the run. */
    TckContext tck();

    /** Closes the managers the test made. */
    @AfterEach
    default void closeManagersOfTest() {
        tck().closeManagers();
    }
}
