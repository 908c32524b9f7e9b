package dev.leasehold.lock.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.spring.Locked;
import dev.leasehold.lock.spring.Locked.OnHeld;
import dev.leasehold.lock.spring.LockedContext;
import dev.leasehold.lock.testing.DatabaseKind;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.annotation.EnableTransactionManagement;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/** {@code @Locked} with {@code @Transactional}: the lock is taken before the transaction and released after it. */
class LockedTransactionTest {

    @RegisterExtension
    static final SpringApps apps = new SpringApps(DatabaseKind.H2, "locked_tx");

    @Test
    void theLeaseIsStillValidWhenTheTransactionCompletes() {
        apps.runner().withUserConfiguration(TxConfig.class).run(context -> {
            Payments payments = context.getBean(Payments.class);
            payments.pay();
            assertThat(payments.seen()).containsExactly("in transaction: true", "after commit, lease valid: true");
        });
    }

    static class Payments {
        private final List<String> seen = new CopyOnWriteArrayList<>();

        @Locked(name = "payments", onHeld = OnHeld.FAIL)
        @Transactional
        public void pay() {
            seen.add("in transaction: " + TransactionSynchronizationManager.isActualTransactionActive());
            Lease lease = LockedContext.currentLease();
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCompletion(int status) {
                    seen.add("after commit, lease valid: " + lease.isValid());
                }
            });
        }

        public List<String> seen() {
            return seen;
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableTransactionManagement
    static class TxConfig {
        @Bean
        JdbcTransactionManager transactionManager(DataSource dataSource) {
            return new JdbcTransactionManager(dataSource);
        }

        @Bean
        Payments payments() {
            return new Payments();
        }
    }
}
