package dev.leasehold.lock.spring.boot;

import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;

/** Matches when the context has something to keep locks in: a DataSource, an EntityManagerFactory or a Jdbi. */
final class OnLockResourceCondition extends AnyNestedCondition {

    OnLockResourceCondition() {
        super(ConfigurationPhase.REGISTER_BEAN);
    }

    @ConditionalOnBean(type = "javax.sql.DataSource")
    static final class HasDataSource {}

    @ConditionalOnBean(type = "jakarta.persistence.EntityManagerFactory")
    static final class HasEntityManagerFactory {}

    @ConditionalOnBean(type = "org.jdbi.v3.core.Jdbi")
    static final class HasJdbi {}
}
