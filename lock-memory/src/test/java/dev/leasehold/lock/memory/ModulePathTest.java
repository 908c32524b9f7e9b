package dev.leasehold.lock.memory;

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
 * On the module path, this module {@code provides} the memory provider and lock-core provides none: resolved as real
 * modules in a layer of their own, ServiceLoader finds exactly {@code memory} with this module, and nothing without
 * it, so that an application with lock-core alone never gets locks that only its JVM sees.
 */
class ModulePathTest {

    private static final List<String> ENGINE = List.of("lock-api", "lock-core", "failsafe", "slf4j-api");

    @Test
    void serviceLoaderFindsTheMemoryProviderOnTheModulePath() throws Exception {
        List<String> modules = new ArrayList<>(ENGINE);
        modules.add("lock-memory");
        assertThat(providersFound(modules, "dev.leasehold.lock.memory")).containsExactly("memory");
    }

    @Test
    void lockCoreAloneProvidesNoBackend() throws Exception {
        assertThat(providersFound(ENGINE, "dev.leasehold.lock.core")).isEmpty();
    }

    /**
     * The names of the providers ServiceLoader finds in a layer resolved from {@code root} over the jars (or classes
     * directories) of {@code modules} on this test's class path.
     */
    private static List<String> providersFound(List<String> modules, String root) throws Exception {
        List<Path> paths = new ArrayList<>();
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        for (String entry : classPath.split(File.pathSeparator)) {
            Path p = Path.of(entry);
            String text = p.toString().replace('\\', '/');
            boolean wanted = modules.stream()
                    .anyMatch(m -> text.contains("/" + m + "/target/classes")
                            || p.getFileName().toString().startsWith(m + "-"));
            if (wanted && !text.contains("test-classes")) {
                paths.add(p);
            }
        }
        ModuleFinder finder = ModuleFinder.of(paths.toArray(Path[]::new));
        Configuration configuration =
                ModuleLayer.boot().configuration().resolveAndBind(finder, ModuleFinder.of(), Set.of(root));
        ModuleLayer layer = ModuleLayer.boot().defineModulesWithOneLoader(configuration, null);
        assertThat(layer.findModule(root).orElseThrow().getDescriptor().isAutomatic())
                .as("%s is a named module with a descriptor of its own", root)
                .isFalse();
        Class<?> spi = layer.findLoader("dev.leasehold.lock.api").loadClass("dev.leasehold.lock.spi.LockProvider");
        List<String> names = new ArrayList<>();
        for (Object provider : ServiceLoader.load(layer, spi)) {
            names.add((String) spi.getMethod("name").invoke(provider));
        }
        return names;
    }
}
