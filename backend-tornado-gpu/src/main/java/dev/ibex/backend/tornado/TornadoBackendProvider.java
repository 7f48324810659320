package dev.ibex.backend.tornado;

import dev.ibex.spi.Availability;
import dev.ibex.spi.IbexException;
import dev.ibex.spi.backend.Backend;
import dev.ibex.spi.backend.BackendOptions;
import dev.ibex.spi.backend.BackendProvider;

/**
 * Registers the TornadoVM backend ({@code backend: tornado}).
 *
 * <p>Available only in a JVM started with a TornadoVM SDK's {@code tornado-argfile} that finds a device; otherwise
 * {@link #availability()} says which of those is missing and the runtime picks another backend. The probe starts
 * TornadoVM once per JVM (about a second) and is then cached. Priority: {@value #DEVICE_PRIORITY} for GPUs and
 * other accelerators, above the CPU backend; {@value #CPU_DEVICE_PRIORITY} when TornadoVM's device is itself a CPU
 * (PoCL), where the CPU backend is faster, so that device is used only when named ({@code --backend tornado}).
 */
public final class TornadoBackendProvider implements BackendProvider {
    static final int DEVICE_PRIORITY = 50;
    static final int CPU_DEVICE_PRIORITY = 5;

    private static volatile DeviceProbe.Result probe;

    /** Created by {@link java.util.ServiceLoader}. */
    public TornadoBackendProvider() {
    }

    @Override
    public String name() {
        return "tornado";
    }

    @Override
    public String description() {
        return "Java kernels compiled by TornadoVM to OpenCL or PTX";
    }

    /**
     * {@value #DEVICE_PRIORITY}, also while unavailable (so the runtime's fallback notice names this backend as the
     * one it would have used), except for a CPU device.
     */
    @Override
    public int priority() {
        DeviceProbe.Result p = probe();
        return p.available() && p.cpuDevice() ? CPU_DEVICE_PRIORITY : DEVICE_PRIORITY;
    }

    @Override
    public Availability availability() {
        DeviceProbe.Result p = probe();
        return p.available() ? Availability.yes(p.detail()) : Availability.no(p.detail());
    }

    @Override
    public Backend create(BackendOptions options) {
        DeviceProbe.Result p = probe();
        if (!p.available()) {
            throw new IbexException("the tornado backend is not available here: " + p.detail());
        }
        return DeviceProbe.create(options);
    }

    private static DeviceProbe.Result probe() {
        DeviceProbe.Result p = probe;
        if (p == null) {
            synchronized (TornadoBackendProvider.class) {
                if (probe == null) {
                    probe = DeviceProbe.Result.of(TornadoBackendProvider.class.getModule());
                }
                p = probe;
            }
        }
        return p;
    }
}
