package io.iris.artifacts;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The published artifacts, as the reactor built them (this runs in {@code verify}, after every module's jar):
 * each jar module has main code (no empty jar is published) and an {@code Automatic-Module-Name} in its jar's
 * manifest, and iris-bom lists exactly the published ones. Not published: the benchmarks (a tool), the example client application and this
 * module (tests only).
 */
class ArtifactsIntegrationTest {
    private static final Path ROOT = Path.of("..");
    private static final Set<String> NOT_PUBLISHED = Set.of("iris-benchmarks", "iris-example-client", "iris-system-tests");

    @Test
    void everyPublishedJarHasCodeAnAutomaticModuleNameAndAPlaceInTheBom() throws Exception {
        final Map<String, Path> jarModules = new LinkedHashMap<>();
        collect(ROOT, jarModules);
        assertThat(jarModules).containsKeys("iris-protocol", "iris-client", "iris-engine");
        final Set<String> published = new TreeSet<>();
        final Set<String> moduleNames = new TreeSet<>();
        for (final Map.Entry<String, Path> m : jarModules.entrySet()) {
            if (NOT_PUBLISHED.contains(m.getKey())) {
                continue;
            }
            published.add(m.getKey());
            final Path dir = m.getValue();
            assertThat(dir.resolve("src/main/java")).as(m.getKey() + " has main code").isDirectory();
            final Path jar = dir.resolve("target").resolve(m.getKey() + "-" + version() + ".jar");
            assertThat(jar).as(m.getKey() + "'s jar, built before this test").exists();
            try (JarFile j = new JarFile(jar.toFile())) {
                final String name = j.getManifest().getMainAttributes().getValue("Automatic-Module-Name");
                assertThat(name).as(m.getKey() + " Automatic-Module-Name").isNotBlank().startsWith("io.iris.");
                assertThat(moduleNames.add(name)).as("module name " + name + " is unique").isTrue();
            }
        }
        final Document bom = pom(ROOT.resolve("iris-bom/pom.xml"));
        assertThat(childText(bom.getDocumentElement(), "version", null)).as("iris-bom's version is the reactor's")
            .isEqualTo(version());
        final Set<String> inBom = new TreeSet<>();
        final NodeList deps = bom.getElementsByTagName("artifactId");
        for (int i = 0; i < deps.getLength(); i++) {
            final Node n = deps.item(i);
            if (n.getParentNode().getNodeName().equals("dependency")) {
                inBom.add(n.getTextContent().trim());
            }
        }
        assertThat(inBom).as("iris-bom lists every published artifact, and only those")
            .containsExactlyInAnyOrderElementsOf(published);
    }

    /** Walks the reactor's modules from a pom directory: artifactId → directory, for jar packaging only. */
    private static void collect(final Path dir, final Map<String, Path> jarModules) throws Exception {
        final Document pom = pom(dir.resolve("pom.xml"));
        final Element project = pom.getDocumentElement();
        final String packaging = childText(project, "packaging", "jar");
        if (packaging.equals("jar")) {
            jarModules.put(childText(project, "artifactId", null), dir);
        }
        for (final String module : modules(project)) {
            collect(dir.resolve(module), jarModules);
        }
    }

    private static List<String> modules(final Element project) {
        final List<String> out = new ArrayList<>();
        final NodeList children = project.getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            if (children.item(i).getNodeName().equals("modules")) {
                final NodeList mods = ((Element) children.item(i)).getElementsByTagName("module");
                for (int j = 0; j < mods.getLength(); j++) {
                    out.add(mods.item(j).getTextContent().trim());
                }
            }
        }
        return out;
    }

    private static String childText(final Element e, final String name, final String otherwise) {
        final NodeList children = e.getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            if (children.item(i).getNodeName().equals(name)) {
                return children.item(i).getTextContent().trim();
            }
        }
        return otherwise;
    }

    private static String version() throws Exception {
        return childText(pom(ROOT.resolve("pom.xml")).getDocumentElement(), "version", null);
    }

    private static Document pom(final Path file) throws Exception {
        assertThat(Files.exists(file)).as(file.toString()).isTrue();
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
    }
}
