package dev.ibex.api.train;

import dev.ibex.api.data.TokenizedExample;
import dev.ibex.api.generate.Forward;
import dev.ibex.api.model.Model;
import dev.ibex.spi.IbexException;
import dev.ibex.spi.backend.AllocationScope;
import dev.ibex.spi.backend.Backend;
import dev.ibex.spi.backend.Tensor;
import dev.ibex.spi.chat.EncodedExample;
import dev.ibex.spi.nn.Batch;
import dev.ibex.spi.nn.Graph;
import dev.ibex.spi.nn.Var;
import dev.ibex.spi.tensor.DType;
import dev.ibex.spi.tensor.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * Trains a model's parameters on examples: micro-batches through the autograd graph, gradients accumulated over
 * {@code gradAccum} micro-batches (each loss scaled by {@code 1/gradAccum}, as transformers' Trainer), clipped to
 * the global norm, and an optimizer step under the schedule. Micro-batches are drawn from a per-epoch seeded
 * permutation in a fixed order, and dropout masks are seeded per micro-batch, so a run resumed from a checkpoint
 * continues exactly where it stopped.
 */
public final class Trainer {
    private final Model model;
    private final TrainingOptions options;
    private final List<TokenizedExample> train;
    private final List<TokenizedExample> validation;
    private final TrainingListener listener;
    private final Backend backend;
    private final List<Var> parameters;
    private final Optimizer optimizer;
    private final LrSchedule schedule;
    private final int totalSteps;
    private final int batchesPerEpoch;
    private final int padId;
    private int step;
    private long microBatches;
    private final List<StepMetrics> history = new ArrayList<>();
    private double lastValidation = Double.NaN;

    public Trainer(Model model, TrainingOptions options, List<TokenizedExample> train, List<TokenizedExample> validation,
                   TrainingListener listener) {
        if (train.isEmpty()) {
            throw new IbexException("no training examples");
        }
        if (model.parameters().isEmpty()) {
            throw new IbexException("the model has no trainable parameters (load it with LoRA adapters or full fine-tuning)");
        }
        this.model = model;
        this.options = options;
        this.train = List.copyOf(train);
        this.validation = List.copyOf(validation);
        this.listener = listener == null ? new TrainingListener() { } : listener;
        this.backend = model.backend();
        this.parameters = List.copyOf(model.parameters().values());
        for (Var p : parameters) {
            p.attachGrad(backend.allocate(DType.F32, p.shape()));
        }
        this.optimizer = Optimizer.create(options.optimizer(), backend, options.beta1(), options.beta2(),
                options.epsilon(), options.weightDecay());
        this.batchesPerEpoch = Math.ceilDiv(train.size(), options.microBatchSize());
        int perEpoch = Math.max(1, batchesPerEpoch / options.gradAccum());
        this.totalSteps = options.maxSteps() > 0 ? options.maxSteps()
                : (int) Math.max(1, Math.ceil(options.numEpochs() * perEpoch));
        int warmup = options.warmupSteps() > 0 ? options.warmupSteps()
                : (int) Math.ceil(options.warmupRatio() * totalSteps);
        this.schedule = new LrSchedule(options.scheduler(), warmup, totalSteps);
        int pad = model.info().padTokenId();
        this.padId = pad >= 0 ? pad : model.info().eosTokenIds().isEmpty() ? 0 : model.info().eosTokenIds().getFirst();
    }

    public int totalSteps() {
        return totalSteps;
    }

    public int step() {
        return step;
    }

    public long microBatches() {
        return microBatches;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    public List<StepMetrics> history() {
        return history;
    }

    /** Continues from a checkpoint's position and optimizer state. */
    public void restore(int step, long microBatches, java.util.Map<String, float[]> optimizerState) {
        this.step = step;
        this.microBatches = microBatches;
        optimizer.restore(optimizerState, step, model.parameters());
    }

    /** Trains until {@code totalSteps}, calling {@code checkpoint} when {@code save_steps} says so (and at the end). */
    public TrainingSummary run(CheckpointSaver checkpoint) {
        listener.started(totalSteps, step);
        long start = System.nanoTime();
        long tokensTotal = 0;
        while (step < totalSteps) {
            long stepStart = System.nanoTime();
            double loss = 0;
            long tokens = 0;
            for (int m = 0; m < options.gradAccum(); m++) {
                MicroBatch mb = MicroBatch.collate(nextMicroBatch(), padId);
                loss += accumulate(mb, 1f / options.gradAccum(), dropoutSeed(microBatches - 1));
                tokens += mb.tokens();
            }
            loss /= options.gradAccum();
            double gradNorm = clipGradients();
            double lr = options.learningRate() * schedule.factor(step);
            optimizer.step(parameters, lr);
            zeroGradients();
            step++;
            tokensTotal += tokens;
            double seconds = (System.nanoTime() - stepStart) / 1e9;
            StepMetrics metrics = new StepMetrics(step, totalSteps, (double) microBatches / batchesPerEpoch, loss, lr,
                    gradNorm, tokens, tokens / Math.max(seconds, 1e-9), (System.nanoTime() - start) / 1e9);
            history.add(metrics);
            if (step % Math.max(1, options.loggingSteps()) == 0 || step == totalSteps) {
                listener.step(metrics);
            }
            boolean last = step == totalSteps;
            if (!validation.isEmpty() && ((options.evalSteps() > 0 && step % options.evalSteps() == 0) || last)) {
                lastValidation = evaluate(validation);
                listener.evaluated(step, lastValidation);
            }
            if (checkpoint != null && ((options.saveSteps() > 0 && step % options.saveSteps() == 0) || last)) {
                listener.checkpointed(step, checkpoint.save(this));
            }
        }
        double finalLoss = history.isEmpty() ? Double.NaN : history.getLast().loss();
        TrainingSummary summary = new TrainingSummary(step, finalLoss, lastValidation, tokensTotal,
                (System.nanoTime() - start) / 1e9, history);
        listener.finished(summary);
        return summary;
    }

    /** Saves a checkpoint; returns its folder. */
    @FunctionalInterface
    public interface CheckpointSaver {
        java.nio.file.Path save(Trainer trainer);
    }

    private long dropoutSeed(long microBatch) {
        return options.seed() * 1_000_003L + microBatch;
    }

    /** The next micro-batch of the fixed, seeded order; advances the position. */
    private List<TokenizedExample> nextMicroBatch() {
        long epoch = microBatches / batchesPerEpoch;
        int index = (int) (microBatches % batchesPerEpoch);
        int[] order = order(epoch);
        int from = index * options.microBatchSize();
        int to = Math.min(train.size(), from + options.microBatchSize());
        List<TokenizedExample> out = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            out.add(train.get(order[i]));
        }
        microBatches++;
        return out;
    }

    private int[] cachedOrder;
    private long cachedEpoch = -1;

    private int[] order(long epoch) {
        if (epoch != cachedEpoch) {
            int[] o = new int[train.size()];
            for (int i = 0; i < o.length; i++) {
                o[i] = i;
            }
            if (options.shuffle()) {
                java.util.SplittableRandom rng = new java.util.SplittableRandom(options.seed() * 31 + epoch);
                for (int i = o.length - 1; i > 0; i--) {
                    int j = rng.nextInt(i + 1);
                    int t = o[i];
                    o[i] = o[j];
                    o[j] = t;
                }
            }
            cachedOrder = o;
            cachedEpoch = epoch;
        }
        return cachedOrder;
    }

    /**
     * Forward and backward over one micro-batch, adding {@code scale · ∂loss/∂p} into every parameter's gradient;
     * returns the micro-batch's mean loss.
     */
    public double accumulate(MicroBatch mb, float scale, long dropoutSeed) {
        if (mb.counted() == 0) {
            return 0; // nothing to learn from (every label masked); transformers would produce NaN here
        }
        try (AllocationScope ignored = backend.openScope()) {
            Graph g = Graph.training(backend, dropoutSeed);
            Batch in = Forward.batch(backend, mb.ids(), mb.mask(), Forward.arangePositions(mb.batch(), mb.seqLen(), 0),
                    null, null, options.gradientCheckpointing());
            Var logits = model.lm().forward(g, in);
            Tensor targets = backend.fromInts(Shape.of(mb.targets().length), mb.targets());
            Var loss = g.crossEntropy(logits, targets, EncodedExample.IGNORE, mb.counted());
            float[] value = new float[1];
            backend.readFloats(loss.value(), 0, value, 0, 1);
            g.backward(loss, scale);
            return value[0];
        }
    }

    /** Mean loss over every counted target of {@code examples}, with no gradients and no dropout. */
    public double evaluate(List<TokenizedExample> examples) {
        double sum = 0;
        long count = 0;
        for (int i = 0; i < examples.size(); i += options.microBatchSize()) {
            MicroBatch mb = MicroBatch.collate(examples.subList(i, Math.min(examples.size(), i + options.microBatchSize())), padId);
            if (mb.counted() == 0) {
                continue;
            }
            try (AllocationScope ignored = backend.openScope()) {
                Batch in = Forward.batch(backend, mb.ids(), mb.mask(), Forward.arangePositions(mb.batch(), mb.seqLen(), 0),
                        null, null, false);
                Var logits = model.lm().forward(Graph.inference(backend), in);
                Tensor targets = backend.fromInts(Shape.of(mb.targets().length), mb.targets());
                sum += backend.crossEntropy(logits.value(), targets, EncodedExample.IGNORE, null, 0f);
                count += mb.counted();
            }
        }
        return count == 0 ? Double.NaN : sum / count;
    }

    /** Global L2 norm of all gradients; scales them to {@code max_grad_norm} as torch's clip_grad_norm_ does. */
    public double clipGradients() {
        double squares = 0;
        for (Var p : parameters) {
            squares += backend.sumOfSquares(p.grad());
        }
        double norm = Math.sqrt(squares);
        double max = options.maxGradNorm();
        if (max > 0) {
            double coef = max / (norm + 1e-6);
            if (coef < 1) {
                for (Var p : parameters) {
                    backend.scale(p.grad(), (float) coef, p.grad());
                }
            }
        }
        return norm;
    }

    /** One optimizer step at the scheduled learning rate, then zeroed gradients (for step-by-step use). */
    public void optimizerStep() {
        optimizer.step(parameters, options.learningRate() * schedule.factor(step));
        zeroGradients();
        step++;
    }

    private void zeroGradients() {
        for (Var p : parameters) {
            backend.fill(p.grad(), 0f);
        }
    }
}
