package dev.leasehold.lock.jpa.internal;

import dev.leasehold.lock.LockConfigurationException;
import dev.leasehold.lock.jpa.LeaseRow;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.PersistenceException;
import java.util.Optional;
import org.hibernate.dialect.Dialect;
import org.hibernate.dialect.H2Dialect;
import org.hibernate.dialect.MySQLDialect;
import org.hibernate.dialect.PostgreSQLDialect;
import org.hibernate.engine.spi.SessionFactoryImplementor;

/**
 * What the backend learns from Hibernate about a persistence unit: the database's dialect and the table {@link
 * LeaseRow} is mapped to, as Hibernate renders it in SQL. Only loaded when the EntityManagerFactory is Hibernate's.
 *
 * <p>This class is thread-safe.
 */
final class HibernateSupport {

    private HibernateSupport() {}

    /** Whether Hibernate's classes are on the class path. */
    static boolean present() {
        try {
            Class.forName(
                    "org.hibernate.engine.spi.SessionFactoryImplementor",
                    false,
                    HibernateSupport.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** The mapping of a Hibernate EntityManagerFactory, or empty when it is another provider's. */
    static Optional<UnitMapping> mapping(EntityManagerFactory emf) {
        SessionFactoryImplementor factory;
        try {
            factory = emf.unwrap(SessionFactoryImplementor.class);
        } catch (PersistenceException | IllegalArgumentException e) {
            return Optional.empty();
        }
        Dialect dialect = factory.getJdbcServices().getDialect();
        SqlDialect sql;
        if (dialect instanceof PostgreSQLDialect) {
            sql = SqlDialect.POSTGRESQL;
        } else if (dialect instanceof H2Dialect) {
            sql = SqlDialect.H2;
        } else if (dialect instanceof MySQLDialect) {
            sql = SqlDialect.MARIADB;
        } else {
            throw new LockConfigurationException("the jpa backend supports PostgreSQL, H2 and MariaDB/MySQL; this"
                    + " persistence unit uses " + dialect.getClass().getName());
        }
        String table = factory.getMappingMetamodel()
                .getEntityDescriptor(LeaseRow.class)
                .getTableName();
        return Optional.of(new UnitMapping(sql, table, true));
    }
}
