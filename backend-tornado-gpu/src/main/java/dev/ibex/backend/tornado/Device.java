package dev.ibex.backend.tornado;

import java.util.ArrayList;
import java.util.List;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.ImmutableTaskGraph;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.WorkerGrid1D;
import uk.ac.manchester.tornado.api.WorkerGrid2D;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task7;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task8;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.enums.TornadoVMBackendType;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;
import uk.ac.manchester.tornado.api.types.arrays.ShortArray;

/**
 * The TornadoVM side of the backend: three typed device heaps that every tensor lives in, and one task graph per
 * kernel, all in a single execution plan.
 *
 * <p>Why heaps: a TornadoVM task graph binds the Java arrays it was built with, while the SPI calls kernels on any
 * tensors. So tensors are ranges of three arrays built once (F32, I32, and 16-bit weights), every kernel takes all
 * three plus a small parameter array holding that call's offsets and sizes, and each kernel's graph is compiled
 * once and relaunched with new parameters. The heaps are uploaded once by the first graph ({@code FIRST_EXECUTION})
 * and then handed from graph to graph on the device ({@code persistOnDevice}/{@code consumeFromDevice}, which hand
 * over the buffers of the previously executed graph of the same plan); the host never sees them again. The host
 * reads and writes tensors only through the staging graphs, which copy a range into or out of a staging array.
 *
 * <p>Every launch is synchronous: {@code execute()} returns when the kernel is done, so a tensor freed afterwards
 * can be reused at once. Not thread-safe; the backend is used from one thread at a time.
 */
final class Device implements AutoCloseable {
    /** Work-group size of the 1-D kernels and of the row reductions (their local arrays have this many slots). */
    static final int WG = 128;
    /** Side of the matmul tiles: 16×16 work-groups. */
    static final int TILE = 16;
    /** Elements per staging transfer: small ones for scalars and rows, large ones for bulk copies. */
    static final int SMALL_STAGE = 16 * 1024;
    static final int LARGE_STAGE = 1024 * 1024;

    /** A compute kernel: context, the three heaps, the constant table, int and float parameters. */
    interface Kernel extends Task7<KernelContext, FloatArray, IntArray, ShortArray, FloatArray, IntArray, FloatArray> {
    }

    /** A staging kernel: a compute kernel's arguments plus the staging array. */
    interface StageKernel<S> extends Task8<KernelContext, FloatArray, IntArray, ShortArray, FloatArray, IntArray, FloatArray, S> {
    }

    /** A registered kernel: its graph's index in the plan and its launch grid. */
    static final class Launch {
        final int graph;
        final String name;
        final WorkerGrid grid;

        private Launch(int graph, String name, WorkerGrid grid) {
            this.graph = graph;
            this.name = name;
            this.grid = grid;
        }
    }

    private static int instances;

    private final TornadoDevice device;
    private final String prefix;
    final FloatArray f32;
    final IntArray i32;
    final ShortArray h16;
    private final FloatArray konst;
    private final IntArray ip = new IntArray(64);
    private final FloatArray fp = new FloatArray(16);
    private final KernelContext context = new KernelContext();
    private final List<TaskGraph> graphs = new ArrayList<>();
    private final GridScheduler grids = new GridScheduler();
    private TornadoExecutionPlan plan;
    private boolean closed;

    private final Launch init;
    // Staging: arrays and the graphs that fill them from a heap (out) or empty them into one (in).
    final FloatArray stageF32Small = new FloatArray(SMALL_STAGE);
    final FloatArray stageF32Large = new FloatArray(LARGE_STAGE);
    final IntArray stageI32Small = new IntArray(SMALL_STAGE);
    final IntArray stageI32Large = new IntArray(LARGE_STAGE);
    final ShortArray stageH16Small = new ShortArray(SMALL_STAGE);
    final ShortArray stageH16Large = new ShortArray(LARGE_STAGE);
    final Launch outF32Small;
    final Launch outF32Large;
    final Launch inF32Small;
    final Launch inF32Large;
    final Launch outI32Small;
    final Launch outI32Large;
    final Launch inI32Small;
    final Launch inI32Large;
    final Launch outH16Small;
    final Launch outH16Large;
    final Launch inH16Small;
    final Launch inH16Large;

    Device(TornadoDevice device, int f32Elements, int i32Elements, int h16Elements) {
        synchronized (Device.class) {
            this.prefix = "ibex" + (instances++) + "_";
        }
        this.device = device;
        this.f32 = new FloatArray(f32Elements);
        this.i32 = new IntArray(i32Elements);
        this.h16 = new ShortArray(h16Elements);
        this.konst = FloatArray.fromArray(KernelMath.constants());

        // The first graph brings the (zero) heaps to the device; it must run before any other.
        TaskGraph first = new TaskGraph(prefix + "init")
                .transferToDevice(DataTransferMode.FIRST_EXECUTION, f32, i32, h16, konst)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, ip, fp)
                .task("k", (Kernel) Staging::touch, context, f32, i32, h16, konst, ip, fp)
                .persistOnDevice(f32, i32, h16, konst);
        init = add(first, "init", new WorkerGrid1D(WG));

        outF32Small = stage("outF32s", Staging::outF32, stageF32Small, false);
        outF32Large = stage("outF32l", Staging::outF32, stageF32Large, false);
        inF32Small = stage("inF32s", Staging::inF32, stageF32Small, true);
        inF32Large = stage("inF32l", Staging::inF32, stageF32Large, true);
        outI32Small = stage("outI32s", Staging::outI32, stageI32Small, false);
        outI32Large = stage("outI32l", Staging::outI32, stageI32Large, false);
        inI32Small = stage("inI32s", Staging::inI32, stageI32Small, true);
        inI32Large = stage("inI32l", Staging::inI32, stageI32Large, true);
        outH16Small = stage("outH16s", Staging::outH16, stageH16Small, false);
        outH16Large = stage("outH16l", Staging::outH16, stageH16Large, false);
        inH16Small = stage("inH16s", Staging::inH16, stageH16Small, true);
        inH16Large = stage("inH16l", Staging::inH16, stageH16Large, true);
    }

    private Launch add(TaskGraph graph, String name, WorkerGrid grid) {
        if (plan != null) {
            throw new IllegalStateException("kernels must be registered before the device starts");
        }
        graphs.add(graph);
        grids.addWorkerGrid(graph.getTaskGraphName() + ".k", grid);
        return new Launch(graphs.size() - 1, name, grid);
    }

    private <S> Launch stage(String name, StageKernel<S> kernel, S stage, boolean toDevice) {
        TaskGraph g = new TaskGraph(prefix + name).consumeFromDevice(f32, i32, h16, konst);
        if (toDevice) {
            g.transferToDevice(DataTransferMode.EVERY_EXECUTION, ip, fp, stage);
        } else {
            g.transferToDevice(DataTransferMode.EVERY_EXECUTION, ip, fp);
        }
        g.task("k", kernel, context, f32, i32, h16, konst, ip, fp, stage);
        if (!toDevice) {
            g.transferToHost(DataTransferMode.EVERY_EXECUTION, stage);
        }
        g.persistOnDevice(f32, i32, h16, konst);
        return add(g, name, new WorkerGrid1D(WG));
    }

    /** Registers a kernel launched on a 1-D grid of work-groups of {@link #WG}. */
    Launch kernel1d(String name, Kernel kernel) {
        return add(computeGraph(name, kernel), name, new WorkerGrid1D(WG));
    }

    /** Registers a kernel launched on a 2-D grid of {@link #TILE}×{@link #TILE} work-groups. */
    Launch kernel2d(String name, Kernel kernel) {
        return add(computeGraph(name, kernel), name, new WorkerGrid2D(TILE, TILE));
    }

    private TaskGraph computeGraph(String name, Kernel kernel) {
        return new TaskGraph(prefix + name)
                .consumeFromDevice(f32, i32, h16, konst)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, ip, fp)
                .task("k", kernel, context, f32, i32, h16, konst, ip, fp)
                .persistOnDevice(f32, i32, h16, konst);
    }

    /**
     * Builds the plan once every kernel is registered and runs the first graph. Kernels compile lazily, on their
     * first launch. OpenCL kernels are built without TornadoVM's default {@code -cl-fast-relaxed-math}, which
     * assumes there are no infinities or NaNs and relaxes the accuracy of {@code exp}, {@code sqrt} and division.
     */
    void start() {
        ImmutableTaskGraph[] snapshots = graphs.stream().map(TaskGraph::snapshot).toArray(ImmutableTaskGraph[]::new);
        plan = new TornadoExecutionPlan(snapshots);
        plan.withDevice(device).withGridScheduler(grids).withCompilerFlags(TornadoVMBackendType.OPENCL, "-w");
        run(init, WG);
    }

    /** The int parameters of the next launch, from index 0. */
    void params(int... values) {
        for (int i = 0; i < values.length; i++) {
            ip.set(i, values[i]);
        }
    }

    /** One int parameter of the next launch. */
    void param(int slot, int value) {
        ip.set(slot, value);
    }

    /** The float parameters of the next launch, from index 0. */
    void floatParams(float... values) {
        for (int i = 0; i < values.length; i++) {
            fp.set(i, values[i]);
        }
    }

    /** Launches {@code k} over {@code workItems} work-items (rounded up to whole work-groups of {@link #WG}). */
    void run(Launch k, long workItems) {
        long global = Math.max(1, Math.ceilDiv(workItems, WG)) * WG;
        if (global > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(k.name + ": " + workItems + " work-items exceed one launch");
        }
        k.grid.setGlobalWork(global, 1, 1);
        k.grid.setLocalWork(WG, 1, 1);
        execute(k);
    }

    /** Launches a 2-D kernel over {@code x × y} work-items in {@link #TILE}×{@link #TILE} work-groups. */
    void run2d(Launch k, long x, long y) {
        long gx = Math.max(1, Math.ceilDiv(x, TILE)) * TILE;
        long gy = Math.max(1, Math.ceilDiv(y, TILE)) * TILE;
        k.grid.setGlobalWork(gx, gy, 1);
        k.grid.setLocalWork(TILE, TILE, 1);
        execute(k);
    }

    private void execute(Launch k) {
        if (closed) {
            throw new IllegalStateException("the tornado backend is closed");
        }
        plan.withGraph(k.graph).execute();
    }

    /** Releases what a half-built device holds (a backend whose construction failed). */
    void closeQuietly() {
        try {
            close();
        } catch (RuntimeException e) {
            // Already failing; the original error is the one to report.
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (plan != null) {
                plan.freeDeviceMemory();
            }
        }
    }
}
