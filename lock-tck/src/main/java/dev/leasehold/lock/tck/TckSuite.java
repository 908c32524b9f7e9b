package dev.leasehold.lock.tck;

import org.junit.jupiter.api.AfterEach;

/**
 * The base of every rule suite: gives the tests their {@link TckContext} and closes the managers each test made.
 * {@link LeaseholdTck} runs every suite; a suite can also be run on its own by a class that implements {@link
 * #tck()}.
 */
public abstract class TckSuite {

    /** The context of the run. */
    protected abstract TckContext tck();

    @AfterEach
    void closeManagersOfTest() {
        tck().closeManagers();
    }
}
