package dev.leasehold.lock.jpa.internal;

import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.table.internal.TableSetup;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.function.Function;

/**
 * Makes sure the lease table is there and usable, as every SQL backend does ({@link TableSetup} of lock-table), on
 * the JDBC connection of a resource-local transaction of its own on the persistence unit, committed at the end.
 *
 * <p>This class is thread-safe.
 */
public final class Setup {

    private Setup() {}

    /**
     * Runs {@code work} on the JDBC connection of the transaction of {@code em}: through Hibernate's session, or, for
     * another provider, the connection it unwraps to.
     */
    static <T> T withConnection(EntityManager em, Function<Connection, T> work) {
        if (HibernateSupport.present()) {
            Optional<T> done = HibernateSupport.withConnection(em, work);
            if (done.isPresent()) {
                return done.get();
            }
        }
        return work.apply(em.unwrap(Connection.class));
    }

    /**
     * Checks the table the settings name, creating it first when it is missing and the settings allow it.
     *
     * @throws dev.leasehold.lock.LockConfigurationException if the table cannot be used; the message says what to do
     */
    public static void ensure(EntityManagerFactory emf, LockSettings settings) {
        TableSetup.withRetries(() -> {
            try {
                return Tx.run(emf, em -> withConnection(em, c -> TableSetup.ensure(c, settings)));
            } catch (SQLException e) {
                throw TableSetup.configuration("cannot set up the lock table", e);
            }
        });
    }
}
