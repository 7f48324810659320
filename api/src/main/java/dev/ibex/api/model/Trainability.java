package dev.ibex.api.model;

/** Which weights of a loaded model train. */
public enum Trainability {
    /** Nothing trains (inference, or LoRA: only the adapters train). Base weights stay as stored. */
    FROZEN,
    /** Every weight trains, held as F32 (full fine-tuning, for small models). */
    FULL
}
