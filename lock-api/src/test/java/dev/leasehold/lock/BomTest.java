package dev.leasehold.lock;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Importing {@code lock-bom} pins Leasehold's own artifacts and nothing else: it has no parent (an imported BOM brings
 * its parent's dependency management with it), every managed artifact is a {@code dev.leasehold} module of this build,
 * and it imports no other BOM. Checked here, in the first module of the build, because the BOM has no code of its own.
 */
class BomTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    /**
     * Modules that are no library a user depends on: the BOM itself, the command and the benchmarks; the example
     * applications under {@code examples/} are not either.
     */
    private static final Set<String> NOT_IN_THE_BOM = Set.of("lock-bom", "lock-cli", "lock-bench");

    @Test
    void theBomPinsExactlyLeaseholdsLibraries() throws Exception {
        Document bom = parse(ROOT.resolve("lock-bom/pom.xml"));
        assertThat(bom.getDocumentElement().getElementsByTagName("parent").getLength())
                .as("lock-bom has no parent")
                .isZero();
        List<String> managed = new ArrayList<>();
        NodeList dependencies = bom.getElementsByTagName("dependency");
        for (int i = 0; i < dependencies.getLength(); i++) {
            Element dependency = (Element) dependencies.item(i);
            assertThat(text(dependency, "groupId")).as("groupId").isEqualTo("dev.leasehold");
            assertThat(text(dependency, "scope")).as("scope (no imported BOM)").isNotEqualTo("import");
            managed.add(text(dependency, "artifactId"));
        }
        List<String> libraries = new ArrayList<>();
        NodeList modules = parse(ROOT.resolve("pom.xml")).getElementsByTagName("module");
        for (int i = 0; i < modules.getLength(); i++) {
            String module = modules.item(i).getTextContent().strip();
            if (!NOT_IN_THE_BOM.contains(module) && !module.startsWith("examples/")) {
                libraries.add(module);
            }
        }
        assertThat(managed).containsExactlyInAnyOrderElementsOf(libraries);
    }

    private static Document parse(Path pom) throws Exception {
        assertThat(Files.exists(pom)).as("%s exists", pom).isTrue();
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return factory.newDocumentBuilder().parse(pom.toFile());
    }

    private static String text(Element parent, String tag) {
        NodeList nodes = parent.getElementsByTagName(tag);
        return nodes.getLength() == 0 ? "" : nodes.item(0).getTextContent().strip();
    }
}
