package dev.leasehold.lock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leasehold.lock.spi.LockProvider;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** lock-api is a named module that exports the API and SPI and declares that it uses {@link LockProvider}. */
class ModuleDescriptorTest {

    @Test
    void theCompiledModuleDeclaresItsNameExportsAndUses() throws Exception {
        Path classes = Path.of(LockProvider.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        ModuleDescriptor descriptor = ModuleFinder.of(classes)
                .find("dev.leasehold.lock.api")
                .orElseThrow()
                .descriptor();
        assertThat(descriptor.uses()).contains(LockProvider.class.getName());
        assertThat(descriptor.exports())
                .filteredOn(e -> !e.isQualified())
                .extracting(ModuleDescriptor.Exports::source)
                .containsExactlyInAnyOrder("dev.leasehold.lock", "dev.leasehold.lock.spi");
    }
}
