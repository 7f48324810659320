package dev.ibex.api.run;

import dev.ibex.api.data.DatasetSpec;
import java.nio.file.Path;
import java.util.List;

/**
 * A parsed, validated YAML run. Field names follow axolotl's keys (see {@link RunKeys} for every key, its type,
 * default and meaning).
 *
 * @param source     the YAML file
 * @param model      what to load and how
 * @param adapter    LoRA / QLoRA / full fine-tuning
 * @param data       datasets and their preparation
 * @param optim      optimisation
 * @param output     where results go, and when
 * @param generation prompts answered after training ({@code ibex run})
 */
public record RunConfig(Path source, Model model, Adapter adapter, Data data, Optim optim, Output output,
                        Generation generation) {

    /**
     * @param baseModel             base_model: the model folder
     * @param backend               backend: compute backend name, or auto
     * @param threads               threads: CPU threads (0 = all)
     * @param loadIn8bit            load_in_8bit: LLM.int8 base weights
     * @param loadIn4bit            load_in_4bit: 4-bit base weights
     * @param quantType4bit         bnb_4bit_quant_type: nf4 or fp4
     * @param doubleQuant           bnb_4bit_use_double_quant
     * @param computeDtype          bnb_4bit_compute_dtype
     * @param int8Threshold         llm_int8_threshold
     * @param skipModules           llm_int8_skip_modules: modules left unquantized (the output head always is)
     * @param gradientCheckpointing gradient_checkpointing
     */
    public record Model(Path baseModel, String backend, int threads, boolean loadIn8bit, boolean loadIn4bit,
                        String quantType4bit, boolean doubleQuant, String computeDtype, double int8Threshold,
                        List<String> skipModules, boolean gradientCheckpointing) {
    }

    /**
     * @param kind          adapter: "lora", "qlora", or "full" (blank: full fine-tuning)
     * @param loraModelDir  lora_model_dir: start from this PEFT adapter
     * @param rank          lora_r
     * @param alpha         lora_alpha
     * @param dropout       lora_dropout
     * @param targetModules lora_target_modules (empty: the architecture's defaults)
     * @param targetLinear  lora_target_linear: every linear but the head
     * @param rslora        peft_use_rslora
     */
    public record Adapter(String kind, Path loraModelDir, int rank, double alpha, double dropout,
                          List<String> targetModules, boolean targetLinear, boolean rslora) {
        public boolean lora() {
            return !kind.equals("full");
        }
    }

    /**
     * @param datasets      datasets
     * @param chatTemplate  chat_template (null: from each dataset's type)
     * @param systemPrompt  system_prompt: template option (Guanaco preamble / ChatML system turn)
     * @param sequenceLen   sequence_len: examples are cut to this many tokens
     * @param valSetSize    val_set_size: fraction (&lt; 1) or count (≥ 1) held out for validation
     * @param trainOnInputs train_on_inputs: train on prompt tokens too
     * @param shuffle       shuffle: shuffle the training examples each epoch
     */
    public record Data(List<DatasetSpec> datasets, String chatTemplate, String systemPrompt, int sequenceLen,
                       double valSetSize, boolean trainOnInputs, boolean shuffle) {
    }

    /**
     * @param microBatchSize micro_batch_size
     * @param gradAccum      gradient_accumulation_steps
     * @param numEpochs      num_epochs
     * @param maxSteps       max_steps (optimizer steps; 0 = from num_epochs)
     * @param learningRate   learning_rate
     * @param scheduler      lr_scheduler: constant, linear or cosine
     * @param warmupSteps    warmup_steps
     * @param warmupRatio    warmup_ratio (used when warmup_steps is 0)
     * @param optimizer      optimizer: adamw_torch or sgd
     * @param weightDecay    weight_decay
     * @param beta1          adam_beta1
     * @param beta2          adam_beta2
     * @param epsilon        adam_epsilon
     * @param maxGradNorm    max_grad_norm (0 disables clipping)
     * @param seed           seed
     */
    public record Optim(int microBatchSize, int gradAccum, double numEpochs, int maxSteps, double learningRate,
                        String scheduler, int warmupSteps, double warmupRatio, String optimizer, double weightDecay,
                        double beta1, double beta2, double epsilon, double maxGradNorm, long seed) {
    }

    /**
     * @param outputDir            output_dir
     * @param saveSteps            save_steps: checkpoint every N optimizer steps (0 = only at the end)
     * @param evalSteps            eval_steps: validation loss every N steps (0 = only at the end)
     * @param loggingSteps         logging_steps
     * @param saveTotalLimit       save_total_limit: keep the newest N checkpoints (0 = all)
     * @param resumeFromCheckpoint resume_from_checkpoint: a checkpoint folder, or "latest"
     * @param mergeLora            merge_lora: also write the merged model to output_dir/merged
     */
    public record Output(Path outputDir, int saveSteps, int evalSteps, int loggingSteps, int saveTotalLimit,
                         String resumeFromCheckpoint, boolean mergeLora) {
    }

    /**
     * @param testPrompts   test_prompts: instructions answered with and without the adapter after training
     * @param maxNewTokens  max_new_tokens
     * @param temperature   temperature (0 = greedy)
     */
    public record Generation(List<String> testPrompts, int maxNewTokens, double temperature) {
    }
}
