package dev.ibex.api.model;

import dev.ibex.api.plugin.Plugins;
import dev.ibex.spi.IbexException;
import dev.ibex.spi.arch.ArchitectureProvider;
import dev.ibex.spi.arch.HfConfig;
import dev.ibex.spi.arch.ModelContext;
import dev.ibex.spi.backend.Backend;
import dev.ibex.spi.backend.BackendOptions;
import dev.ibex.spi.nn.Linear;
import dev.ibex.spi.nn.Var;
import dev.ibex.spi.tensor.DType;
import dev.ibex.spi.tensor.HostTensor;
import dev.ibex.spi.tensor.Shape;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * Writes a model folder with freshly initialised weights for a config, as transformers' {@code _init_weights} does
 * for these architectures: every matrix (linears, embeddings) ~ N(0, {@code initializer_range}), biases 0, norm
 * weights 1 (1-D weights that are not biases). The architecture plugin itself names the tensors and their shapes
 * (it builds the model over a context that creates each weight it asks for), so any installed architecture works.
 */
public final class RandomInit {
    private RandomInit() {
    }

    /**
     * @param source folder holding {@code config.json} (and the tokenizer files to copy)
     * @param out    the new model folder
     * @return the number of parameters written
     */
    public static long write(Path source, Path out, long seed, DType dtype, Plugins plugins) {
        if (!dtype.isDenseFloat()) {
            throw new IbexException("weights can be F32, F16 or BF16, not " + dtype);
        }
        ModelFolder folder = ModelFolder.open(source);
        ArchitectureProvider arch = plugins.architectureFor(folder.config());
        arch.describe(folder.config());
        double std = folder.config().doubleValue("initializer_range", folder.config().doubleValue("init_std", 0.02));
        try (RootAllocator allocator = new RootAllocator();
             Backend backend = plugins.backend("auto").create(BackendOptions.defaults())) {
            Creating ctx = new Creating(folder.config(), backend, allocator, new SplittableRandom(seed), std, dtype);
            arch.build(ctx);
            try {
                ModelWriter.write(out, folder, ctx.tensors);
                return ctx.tensors.values().stream().mapToLong(HostTensor::numel).sum();
            } finally {
                ctx.tensors.values().forEach(HostTensor::close);
            }
        }
    }

    /** A context that makes every weight it is asked for. */
    private static final class Creating implements ModelContext {
        private final HfConfig config;
        private final Backend backend;
        private final BufferAllocator allocator;
        private final SplittableRandom random;
        private final double std;
        private final DType dtype;
        final Map<String, HostTensor> tensors = new LinkedHashMap<>();
        private final Map<String, Var> vars = new LinkedHashMap<>();

        Creating(HfConfig config, Backend backend, BufferAllocator allocator, SplittableRandom random, double std,
                 DType dtype) {
            this.config = config;
            this.backend = backend;
            this.allocator = allocator;
            this.random = random;
            this.std = std;
            this.dtype = dtype;
        }

        @Override
        public HfConfig config() {
            return config;
        }

        @Override
        public Backend backend() {
            return backend;
        }

        @Override
        public Linear linear(String module, int in, int out, boolean bias) {
            return Linear.of(weight(module + ".weight", out, in), bias ? weight(module + ".bias", out) : null);
        }

        @Override
        public Linear tiedLinear(String module, Var weight) {
            return Linear.of(weight, null);
        }

        @Override
        public Var weight(String name, long... shape) {
            return vars.computeIfAbsent(name, n -> {
                HostTensor t = HostTensor.allocate(allocator, dtype, Shape.of(shape));
                boolean bias = n.endsWith(".bias");
                boolean norm = shape.length == 1 && !bias;
                for (long i = 0; i < t.numel(); i++) {
                    t.setFloat(i, bias ? 0f : norm ? 1f : (float) (random.nextGaussian() * std));
                }
                tensors.put(n, t);
                return Var.frozen(n, backend.upload(t));
            });
        }

        @Override
        public boolean has(String name) {
            return false; // nothing exists yet: optional weights (untied heads) are created when the config asks
        }

        @Override
        public void warn(String message) {
        }
    }
}
