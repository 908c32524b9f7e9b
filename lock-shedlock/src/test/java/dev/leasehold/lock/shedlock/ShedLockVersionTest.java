package dev.leasehold.lock.shedlock;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import net.javacrumbs.shedlock.core.LockProvider;
import org.junit.jupiter.api.Test;

/**
 * The build runs the provider's tests once per supported ShedLock major version (lock-shedlock's pom: the default
 * surefire run on the compile-time version, a second one with shedlock-core swapped). When it fails: the swap did not
 * happen, or left two versions on the class path, so the other tests did not check the version they claim to.
 */
class ShedLockVersionTest {

    private static final String POM_PROPERTIES = "META-INF/maven/net.javacrumbs.shedlock/shedlock-core/pom.properties";

    @Test
    void theTestsRunOnTheShedLockVersionTheBuildChose() throws IOException {
        String expected = System.getProperty("shedlock.expected.version");
        assertThat(expected)
                .as("system property shedlock.expected.version, set by lock-shedlock's surefire runs")
                .isNotBlank();

        List<URL> cores = Collections.list(LockProvider.class.getClassLoader().getResources(POM_PROPERTIES));
        assertThat(cores).as("shedlock-core jars on the class path").hasSize(1);
        Properties properties = new Properties();
        try (InputStream in = cores.get(0).openStream()) {
            properties.load(in);
        }
        assertThat(properties.getProperty("version")).isEqualTo(expected);
        assertThat(LockProvider.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .getPath())
                .endsWith("shedlock-core-" + expected + ".jar");
    }
}
