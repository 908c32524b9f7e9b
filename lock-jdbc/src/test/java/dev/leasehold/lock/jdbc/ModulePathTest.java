package dev.leasehold.lock.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * On the module path, the API module {@code uses} the provider interface and this module {@code provides} the jdbc
 * provider: resolved as real modules in a layer of their own, ServiceLoader finds it without META-INF/services.
 */
class ModulePathTest {

    private static final List<String> MODULES = List.of(
            "lock-api", "lock-core", "lock-table", "lock-jdbc", "jdbi3-core", "geantyref", "failsafe", "slf4j-api");

    @Test
    void serviceLoaderFindsTheJdbcProviderOnTheModulePath() throws Exception {
        List<Path> paths = new ArrayList<>();
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        for (String entry : classPath.split(File.pathSeparator)) {
            Path p = Path.of(entry);
            String text = p.toString().replace('\\', '/');
            boolean wanted = MODULES.stream()
                    .anyMatch(m -> text.contains("/" + m + "/target/classes")
                            || p.getFileName().toString().startsWith(m + "-"));
            if (wanted && !text.contains("test-classes")) {
                paths.add(p);
            }
        }
        ModuleFinder finder = ModuleFinder.of(paths.toArray(Path[]::new));
        Configuration configuration = ModuleLayer.boot()
                .configuration()
                .resolveAndBind(finder, ModuleFinder.of(), Set.of("dev.leasehold.lock.jdbc"));
        ModuleLayer layer = ModuleLayer.boot().defineModulesWithOneLoader(configuration, null);

        assertThat(layer.findModule("dev.leasehold.lock.jdbc")).isPresent();
        assertThat(layer.findModule("dev.leasehold.lock.jdbc")
                        .orElseThrow()
                        .getDescriptor()
                        .isAutomatic())
                .as("lock-jdbc is a named module with a descriptor of its own")
                .isFalse();
        Class<?> spi = layer.findLoader("dev.leasehold.lock.api").loadClass("dev.leasehold.lock.spi.LockProvider");
        List<String> names = new ArrayList<>();
        for (Object provider : ServiceLoader.load(layer, spi)) {
            names.add((String) spi.getMethod("name").invoke(provider));
        }
        assertThat(names).containsExactly("jdbc");
    }
}
