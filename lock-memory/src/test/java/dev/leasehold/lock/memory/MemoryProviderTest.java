package dev.leasehold.lock.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockConfigurationException;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.Locks;
import dev.leasehold.lock.core.LeaseLockManager;
import dev.leasehold.lock.core.memory.InMemoryLeaseStore;
import java.io.PrintWriter;
import java.sql.Connection;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** The {@code memory} backend is found through ServiceLoader on the class path and never competes with a database. */
class MemoryProviderTest {

    @Test
    void serviceLoaderFindsTheMemoryProvider() {
        assertThat(Locks.describeProviders(getClass().getClassLoader()))
                .anySatisfy(line -> assertThat(line).startsWith("memory (" + InMemoryLockProvider.class.getName()));
        try (LockManager manager = Locks.builder().build()) {
            assertThat(manager).isInstanceOf(LeaseLockManager.class);
        }
    }

    @Test
    void managersOfTheSharedStoreExcludeEachOther() {
        try (LockManager a = Locks.builder().backend("memory").build();
                LockManager b = Locks.builder().backend("memory").build()) {
            Lease lease = a.lock("memory-shared").tryAcquire().orElseThrow();
            assertThat(b.lock("memory-shared").tryAcquire()).isEmpty();
            lease.release();
        }
    }

    @Test
    void aStoreOfItsOwnIsUsedWhenGiven() {
        InMemoryLeaseStore own = new InMemoryLeaseStore();
        try (LockManager manager = Locks.builder().resource(own).build()) {
            Lease lease = manager.lock("memory-own").tryAcquire().orElseThrow();
            assertThat(own.inspect("memory-own")).isPresent();
            assertThat(InMemoryLeaseStore.shared().inspect("memory-own")).isEmpty();
            lease.release();
        }
    }

    @Test
    void aDataSourceIsNotTheMemoryBackendsBusiness() {
        assertThatThrownBy(() -> Locks.builder().dataSource(new NoDataSource()).build())
                .isInstanceOf(LockConfigurationException.class)
                .hasMessageContaining("no Leasehold backend supports these settings")
                .hasMessageContaining("memory (" + InMemoryLockProvider.class.getName() + "): does not support");
    }

    /** A DataSource that is never connected to. */
    static final class NoDataSource implements DataSource {
        @Override
        public Connection getConnection() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Connection getConnection(String username, String password) {
            throw new UnsupportedOperationException();
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {}

        @Override
        public void setLoginTimeout(int seconds) {}

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() {
            return Logger.getGlobal();
        }

        @Override
        public <T> T unwrap(Class<T> iface) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return false;
        }
    }
}
