package dev.leasehold.lock.jpa;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** The entity of the "existing application" in the tests: the only class its persistence unit lists. */
@Entity
@Table(name = "leasehold_test_invoice")
public class Invoice {

    @Id
    private long id;

    @Column(name = "fencing_token")
    private long fencingToken;

    protected Invoice() {}

    Invoice(long id, long fencingToken) {
        this.id = id;
        this.fencingToken = fencingToken;
    }

    long id() {
        return id;
    }

    long fencingToken() {
        return fencingToken;
    }
}
