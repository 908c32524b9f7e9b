package dev.leasehold.lock.jpa;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Objects;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * One row of the lease table {@code {schema}.{prefix}distributed_locks}, as a JPA entity: the table lock-jdbc and
 * lock-advisory use too, so that managers of every backend exclude each other on it. A released lock keeps its row
 * and its last token; only a purge of idle names deletes rows, and new rows start from the table's token floor.
 *
 * <p>With Hibernate the entity reaches every persistence unit on its own (see {@link JpaLockManager}); with another
 * JPA provider, list this class in the unit ({@code <class>dev.leasehold.lock.jpa.LeaseRow</class>}) and, for a
 * prefix or schema, override its table in an {@code orm.xml}. The annotations map the table {@code distributed_locks}
 * with no schema.
 *
 * <p>Its entity name is {@value #ENTITY_NAME}, so that it never clashes with an application entity called {@code
 * LeaseRow}. It is never cached in the second-level cache. The backend changes rows only through the methods below,
 * inside its own short transactions; an application that changes a row in its own transaction changes a lock.
 *
 * <p>Instances are not thread-safe, like every JPA entity.
 */
@Entity(name = LeaseRow.ENTITY_NAME)
@Table(name = "\"" + LeaseRow.TABLE_NAME + "\"")
@Cacheable(false)
public class LeaseRow {

    /** The JPA entity name, for JPQL: {@value}. */
    public static final String ENTITY_NAME = "LeaseholdLeaseRow";

    /** The table name without a prefix. */
    public static final String TABLE_NAME = "distributed_locks";

    @Id
    @Column(name = "lock_name", length = 255, nullable = false, updatable = false)
    private String name;

    @Column(name = "owner_id", length = 255)
    private String ownerId;

    @Column(name = "token", nullable = false)
    private long token;

    // TIMESTAMP_UTC whatever the application's preferred Instant mapping: timestamptz on PostgreSQL and H2, and on
    // MariaDB a DATETIME written and read in UTC (the column holds UTC wall time, as lock-jdbc writes it).
    @JdbcTypeCode(SqlTypes.TIMESTAMP_UTC)
    @Column(name = "acquired_at", nullable = false)
    private Instant acquiredAt;

    @JdbcTypeCode(SqlTypes.TIMESTAMP_UTC)
    @Column(name = "expires_at", nullable = false)
    private Instant expiresAt;

    /** For JPA. */
    protected LeaseRow() {}

    /** The lock name: the primary key. */
    public String getName() {
        return name;
    }

    /** The holder's owner id, or null when the lock was released (or never granted). */
    public String getOwnerId() {
        return ownerId;
    }

    /** The last fencing token granted on this name; 0 before the first grant. */
    public long getToken() {
        return token;
    }

    /** When the last grant was made, by the database clock. */
    public Instant getAcquiredAt() {
        return acquiredAt;
    }

    /** When the current lease ends, by the database clock; for a released lock, when it was released. */
    public Instant getExpiresAt() {
        return expiresAt;
    }

    /** Whether a lease holds at {@code now} (the database's time): an owner and an expiry after {@code now}. */
    public boolean isHeldAt(Instant now) {
        return ownerId != null && expiresAt.isAfter(now);
    }

    /** Whether {@code owner}'s lease with {@code token} holds at {@code now}. */
    public boolean isHeldBy(String owner, long token, Instant now) {
        return isHeldAt(now) && ownerId.equals(owner) && this.token == token;
    }

    /**
     * Grants the lock to {@code owner} until {@code expiresAt}; the token becomes the previous one plus one. Call it
     * only on a row read with a pessimistic write lock, after {@link #isHeldAt} said false.
     *
     * @return the new token
     */
    public long grant(String owner, Instant now, Instant expiresAt) {
        this.ownerId = Objects.requireNonNull(owner, "owner");
        this.token = this.token + 1;
        this.acquiredAt = Objects.requireNonNull(now, "now");
        this.expiresAt = Objects.requireNonNull(expiresAt, "expiresAt");
        return token;
    }

    /** Moves the expiry of the held lease; the token stays. */
    public void extendTo(Instant expiresAt) {
        this.expiresAt = Objects.requireNonNull(expiresAt, "expiresAt");
    }

    /** Releases the lease at {@code now}: no owner, the expiry is now, the token stays. */
    public void release(Instant now) {
        this.ownerId = null;
        this.expiresAt = Objects.requireNonNull(now, "now");
    }

    @Override
    public String toString() {
        return "LeaseRow[" + name + ", owner " + ownerId + ", token " + token + ", expires " + expiresAt + "]";
    }
}
