package dev.ibex.backend.tornado;

import dev.ibex.spi.IbexException;
import dev.ibex.spi.backend.Backend;
import dev.ibex.spi.backend.BackendOptions;
import dev.ibex.spi.backend.DeviceInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import uk.ac.manchester.tornado.api.TornadoRuntime;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.TornadoDeviceType;
import uk.ac.manchester.tornado.api.enums.TornadoVMBackendType;
import uk.ac.manchester.tornado.api.runtime.TornadoRuntimeProvider;

/**
 * Finds out whether TornadoVM can run here, and creates backends. The only class besides the kernels that touches
 * TornadoVM before a backend exists; {@link Result#of} checks that TornadoVM's API is present before it is loaded,
 * so a JVM without TornadoVM gets a reason instead of a {@link NoClassDefFoundError}.
 */
final class DeviceProbe {
    /** {@code tornado.device.memory} as the user set it before the probe, or -1. */
    private static volatile long userDeviceMemory = -1;

    private DeviceProbe() {
    }

    /**
     * What the probe found.
     *
     * @param available whether a backend can be created
     * @param detail    the device (available) or the reason and fix (unavailable)
     * @param cpuDevice whether TornadoVM's default device is a CPU (PoCL and the like)
     */
    record Result(boolean available, String detail, boolean cpuDevice) {
        static Result no(String reason) {
            return new Result(false, reason, false);
        }

        static Result of(Module self) {
            ModuleLayer layer = self.getLayer();
            boolean present = layer != null ? layer.findModule("tornado.api").isPresent() : classPresent();
            if (!present) {
                return no("TornadoVM not installed: its API (module tornado.api) is not in this JVM. Install a TornadoVM"
                        + " SDK, set TORNADOVM_HOME and start Java with @$TORNADOVM_HOME/tornado-argfile"
                        + " (see backend-tornado-gpu/README.md)");
            }
            // A kernel TornadoVM fails to compile must fail, never run as Java: the Java method would compute on the
            // host's copies of the heaps, which are never updated, and return garbage silently.
            String bailout = System.getProperty("tornado.recover.bailout");
            if (bailout == null) {
                System.setProperty("tornado.recover.bailout", "False");
            } else if (!bailout.equalsIgnoreCase("false")) {
                return no("-Dtornado.recover.bailout=" + bailout + " is set: a kernel TornadoVM cannot compile would then"
                        + " run as Java on the host's stale copies of the device heaps; remove the option");
            }
            // TornadoVM counts device allocations against tornado.device.memory (4GB unless set); the heaps are sized
            // from the device itself (HeapSizes), so lift that cap unless the user chose one.
            String cap = System.getProperty("tornado.device.memory");
            if (cap == null) {
                System.setProperty("tornado.device.memory", "1024GB");
            } else {
                userDeviceMemory = HeapSizes.parse("tornado.device.memory", cap);
            }
            if (System.getProperty("tornado.load.runtime.implementation") == null) {
                return no("TornadoVM not set up: this JVM was not started with the SDK's tornado-argfile (JVMCI, Graal"
                        + " and TornadoVM's runtime are missing); add @$TORNADOVM_HOME/tornado-argfile to the java command");
            }
            try {
                return DeviceProbe.probe();
            } catch (Throwable e) {
                // Any failure to start (missing native library, JVMCI disabled, driver error) is a reason, not a crash.
                return no("TornadoVM failed to start (no usable OpenCL platform or CUDA driver?): " + rootCause(e));
            }
        }

        /** The innermost cause's class and message: initialisation errors wrap the useful one several times. */
        private static String rootCause(Throwable e) {
            Throwable t = e;
            while (t.getCause() != null && t.getCause() != t) {
                t = t.getCause();
            }
            String message = t.getMessage() == null ? "" : ": " + t.getMessage().replaceAll("\u001B\\[[0-9;]*m", "").strip();
            return t.getClass().getSimpleName() + message;
        }

        private static boolean classPresent() {
            try {
                Class.forName("uk.ac.manchester.tornado.api.TornadoRuntime", false, DeviceProbe.class.getClassLoader());
                return true;
            } catch (ClassNotFoundException e) {
                return false;
            }
        }
    }

    /** Every device TornadoVM sees, backend by backend, in the order {@link BackendOptions#device()} counts them. */
    private static List<TornadoDevice> devices(TornadoRuntime runtime) {
        List<TornadoDevice> all = new ArrayList<>();
        for (int b = 0; b < runtime.getNumBackends(); b++) {
            var backend = runtime.getBackend(b);
            for (int d = 0; d < backend.getNumDevices(); d++) {
                all.add(backend.getDevice(d));
            }
        }
        return all;
    }

    private static Result probe() {
        TornadoRuntime runtime = TornadoRuntimeProvider.getTornadoRuntime();
        List<TornadoDevice> all = devices(runtime);
        if (all.isEmpty()) {
            return Result.no("no device: TornadoVM started but found no OpenCL or CUDA device (install a driver: an"
                    + " OpenCL ICD such as pocl-opencl-icd, or NVIDIA's driver for the PTX backend)");
        }
        TornadoDevice device = runtime.getDefaultDevice();
        return new Result(true, describe(device), device.getDeviceType() == TornadoDeviceType.CPU);
    }

    /** "name (OpenCL GPU, 80.0 GiB, fp16)" or "... no native fp16: F16 weights are decoded in F32 arithmetic". */
    private static String describe(TornadoDevice device) {
        return String.format(Locale.ROOT, "%s (%s %s, %.1f GiB, %s)", device.getPhysicalDevice().getDeviceName(),
                device.getTornadoVMBackend(), device.getDeviceType(), device.getMaxGlobalMemory() / (double) (1L << 30),
                supportsF16(device) ? "fp16"
                        : "no native fp16: F16 and BF16 weights are decoded to F32 in the kernels");
    }

    /** Whether the device does F16 arithmetic natively: OpenCL's cl_khr_fp16, always on NVIDIA's PTX/CUDA targets. */
    static boolean supportsF16(TornadoDevice device) {
        TornadoVMBackendType type = device.getTornadoVMBackend();
        if (type == TornadoVMBackendType.OPENCL) {
            String info = device.getPhysicalDevice().getDeviceInfo();
            return info != null && info.contains("cl_khr_fp16");
        }
        return type == TornadoVMBackendType.PTX || type == TornadoVMBackendType.CUDA;
    }

    /** Creates a backend on device {@code options.device()} with heaps sized by the properties in the README. */
    static Backend create(BackendOptions options) {
        TornadoRuntime runtime = TornadoRuntimeProvider.getTornadoRuntime();
        List<TornadoDevice> all = devices(runtime);
        int index = options.device();
        if (index < 0 || index >= all.size()) {
            throw new IbexException("device " + index + " does not exist: TornadoVM sees " + all.size() + " device(s)");
        }
        TornadoDevice device = index == 0 ? runtime.getDefaultDevice() : all.get(index);
        HeapSizes sizes = HeapSizes.forDevice(device.getMaxGlobalMemory(), device.getMaxAllocMemory(),
                device.getDeviceType() == TornadoDeviceType.CPU, userDeviceMemory);
        Device d = new Device(device, sizes.f32(), sizes.i32(), sizes.h16());
        try {
            DeviceInfo info = new DeviceInfo(device.getPhysicalDevice().getDeviceName() + " (" + device.getTornadoVMBackend()
                    + ", TornadoVM)", device.getMaxGlobalMemory(), supportsF16(device));
            return new TornadoBackend(d, info);
        } catch (RuntimeException | Error e) {
            d.closeQuietly();
            throw e;
        }
    }
}
