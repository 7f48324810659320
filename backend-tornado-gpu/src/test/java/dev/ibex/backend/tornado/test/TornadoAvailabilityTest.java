package dev.ibex.backend.tornado.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ibex.spi.backend.BackendProvider;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The provider's availability report: available with the device in this JVM (started with the SDK's argfile), and
 * unavailable with the reason and the fix in JVMs that lack TornadoVM or its setup, which are started here as child
 * processes from this JVM's own module path.
 */
class TornadoAvailabilityTest {

    @Test
    void availableHereWithTheDeviceAndAPriorityThatFitsIt() {
        BackendProvider p = TornadoTestBackend.provider();
        String detail = p.availability().detail();
        assertTrue(p.availability().available(), detail);
        assertTrue(detail.contains("fp16"), "the detail says whether the device has native fp16: " + detail);
        // A CPU OpenCL device (PoCL) must not win over the CPU backend (priority 10) unless named.
        boolean cpuDevice = detail.contains(" CPU,");
        assertEquals(cpuDevice, p.priority() < 10, detail + " with priority " + p.priority());
    }

    @Test
    void aJvmWithoutTornadoVmSaysItIsNotInstalled() throws Exception {
        String out = probeInChild(false);
        assertTrue(out.startsWith("false|"), out);
        assertTrue(out.contains("TornadoVM not installed") && out.contains("TORNADOVM_HOME"), out);
        assertTrue(out.contains("|50|"), "an unavailable GPU backend keeps its priority, so the fallback notice names it: "
                + out);
    }

    @Test
    void aJvmWithTornadoVmsApiButNotItsArgfileSaysItIsNotSetUp() throws Exception {
        String out = probeInChild(true);
        assertTrue(out.startsWith("false|"), out);
        assertTrue(out.contains("TornadoVM not set up") && out.contains("tornado-argfile"), out);
    }

    /**
     * With the argfile but no OpenCL platform: the Khronos ICD loader on Linux finds its drivers through
     * {@code OCL_ICD_VENDORS}, so pointing it at an empty folder hides every device. Only for an OpenCL-only SDK on
     * Linux (a PTX/CUDA backend would still find an NVIDIA device).
     */
    @Test
    void aJvmWithoutAnOpenClPlatformSaysWhy(@org.junit.jupiter.api.io.TempDir Path empty) throws Exception {
        String sdk = System.getenv("TORNADOVM_HOME");
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getProperty("os.name").startsWith("Linux")
                && java.nio.file.Files.readString(Path.of(sdk, "etc", "tornado.backend")).strip()
                .equals("tornado.backends=opencl-backend"), "an OpenCL-only SDK on Linux");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@" + Path.of(sdk, "tornado-argfile"),
                "--module-path", System.getProperty("jdk.module.path"),
                "--add-modules", "dev.ibex.backend.tornado",
                "-cp", Path.of(ProbeMain.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString(),
                ProbeMain.class.getName()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("OCL_ICD_VENDORS", empty.toString());
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), out);
        String line = Arrays.stream(out.split("\n")).filter(l -> l.startsWith("false|") || l.startsWith("true|"))
                .findFirst().orElse(out);
        assertTrue(line.startsWith("false|50|TornadoVM failed to start") && line.contains("No OpenCL platforms found"),
                line);
    }

    /** Runs {@link ProbeMain} in a plain JVM: this JVM's Ibex modules, with or without TornadoVM's API jar. */
    private static String probeInChild(boolean withTornadoApi) throws Exception {
        String sdk = System.getenv("TORNADOVM_HOME");
        List<String> modules = new ArrayList<>();
        for (String entry : System.getProperty("jdk.module.path").split(File.pathSeparator)) {
            boolean tornado = sdk != null && Path.of(entry).toAbsolutePath().startsWith(Path.of(sdk).toAbsolutePath());
            boolean tornadoApi = tornado && entry.contains("tornado-api-");
            if (!tornado && !entry.contains("tornado-api-") && !entry.contains("tornado-runtime-")) {
                modules.add(entry);
            }
            if (tornadoApi && withTornadoApi) {
                modules.add(entry);
            }
        }
        if (withTornadoApi) {
            assertTrue(modules.stream().anyMatch(m -> m.contains("tornado-api-")), "the SDK's API jar on " + modules);
        }
        String testClasses = Path.of(ProbeMain.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--module-path", String.join(File.pathSeparator, modules),
                "--add-modules", "dev.ibex.backend.tornado" + (withTornadoApi ? ",tornado.api" : ""),
                "-cp", testClasses, ProbeMain.class.getName()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), () -> "child JVM failed: " + out + "\ncommand: " + command);
        return Arrays.stream(out.split("\n")).filter(l -> l.startsWith("true|") || l.startsWith("false|"))
                .collect(Collectors.joining("\n"));
    }
}
