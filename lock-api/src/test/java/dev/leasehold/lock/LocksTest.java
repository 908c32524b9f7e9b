package dev.leasehold.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.leasehold.lock.testproviders.TestProviders;
import dev.leasehold.lock.testproviders.TestProviders.MadeBy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How {@link Locks#builder()} chooses a backend among the providers ServiceLoader finds. */
class LocksTest {

    @AfterEach
    void clearOverride() {
        System.clearProperty(Locks.BACKEND_PROPERTY);
    }

    private static String madeBy(LockManager manager) {
        return ((MadeBy) manager).provider();
    }

    @Test
    void serviceLoaderFindsTheTestProvidersAndReportsTheOnesThatFailToLoad() {
        assertThat(Locks.describeProviders(getClass().getClassLoader()))
                .anySatisfy(line -> assertThat(line).startsWith("alpha (" + TestProviders.Alpha.class.getName()))
                .anySatisfy(line -> assertThat(line).startsWith("beta ("))
                .anySatisfy(line -> assertThat(line)
                        .startsWith("failed to load")
                        .contains("TestProviders$Broken")
                        .contains("this provider cannot start"))
                .anySatisfy(
                        line -> assertThat(line).startsWith("failed to load").contains("NoSuchProvider"));
    }

    @Test
    void theSingleProviderThatSupportsTheSettingsIsChosen() {
        assertThat(madeBy(Locks.builder().resource("alpha").build())).isEqualTo("alpha");
        assertThat(madeBy(Locks.builder().resource("beta").build())).isEqualTo("beta");
    }

    @Test
    void aNamedProviderIsChosen() {
        assertThat(madeBy(Locks.builder().resource("both").backend("beta").build()))
                .isEqualTo("beta");
    }

    @Test
    void theSystemPropertyOverridesTheNamedProvider() {
        System.setProperty(Locks.BACKEND_PROPERTY, "alpha");
        assertThat(madeBy(Locks.builder().resource("both").backend("beta").build()))
                .isEqualTo("alpha");
    }

    @Test
    void severalFittingProvidersAreAnErrorThatListsThemAndSaysHowToChoose() {
        assertThatThrownBy(() -> Locks.builder().resource("both").build())
                .isInstanceOf(LockConfigurationException.class)
                .hasMessageContaining("several Leasehold backends support these settings: [alpha, beta]")
                .hasMessageContaining("backend(\"alpha\")")
                .hasMessageContaining("-Dleasehold.backend=alpha")
                .hasMessageContaining("alpha (" + TestProviders.Alpha.class.getName() + "): supports these settings")
                .hasMessageContaining("TestProviders$Broken")
                .hasMessageContaining("NoSuchProvider");
    }

    @Test
    void noFittingProviderIsAnErrorThatListsWhatWasFound() {
        assertThatThrownBy(() -> Locks.builder().resource(42).build())
                .isInstanceOf(LockConfigurationException.class)
                .hasMessageContaining("no Leasehold backend supports these settings")
                .hasMessageContaining("alpha (" + TestProviders.Alpha.class.getName() + "): does not support")
                .hasMessageContaining("needs the marker \"beta\" or \"both\"")
                .hasMessageContaining("Providers that failed to load")
                .hasMessageContaining("this provider cannot start")
                .hasMessageContaining("Resources given: [java.lang.Integer]");
    }

    @Test
    void aMissingNamedProviderIsAnErrorThatSaysWhatToAdd() {
        assertThatThrownBy(
                        () -> Locks.builder().resource("alpha").backend("jdbc").build())
                .isInstanceOf(LockConfigurationException.class)
                .hasMessageContaining("backend 'jdbc' was named by Locks.builder().backend(...)")
                .hasMessageContaining("dev.leasehold:lock-jdbc")
                .hasMessageContaining("alpha (");
    }

    @Test
    void aNamedProviderThatDoesNotSupportTheSettingsIsAnError() {
        assertThatThrownBy(
                        () -> Locks.builder().resource("alpha").backend("beta").build())
                .isInstanceOf(LockConfigurationException.class)
                .hasMessageContaining("backend 'beta'")
                .hasMessageContaining("does not support these settings")
                .hasMessageContaining("the marker \"beta\"");
    }

    @Test
    void aProviderGivenDirectlyBypassesTheServiceLoader() {
        LockManager manager = Locks.builder()
                .resource("alpha")
                .provider(new TestProviders.Alpha())
                .build();
        assertThat(madeBy(manager)).isEqualTo("alpha");
        assertThatThrownBy(() -> Locks.builder()
                        .resource("beta")
                        .provider(new TestProviders.Alpha())
                        .build())
                .isInstanceOf(LockConfigurationException.class)
                .hasMessageContaining("does not support");
    }

    @Test
    void theSettingsReachTheProvider() {
        MadeBy manager = (MadeBy) Locks.builder()
                .resource("alpha")
                .leaseTime(java.time.Duration.ofSeconds(12))
                .tablePrefix("app_")
                .ownerId("node-7")
                .build();
        assertThat(manager.settings().leaseTime()).hasSeconds(12);
        assertThat(manager.settings().heartbeatInterval()).hasSeconds(4);
        assertThat(manager.settings().tableName()).isEqualTo("app_distributed_locks");
        assertThat(manager.ownerId()).isEqualTo("node-7");
    }
}
