package dev.ibex.backend.tornado.test;

import dev.ibex.app.golden.GoldenLoraTest;

/**
 * The app module's golden LoRA suite on the tornado backend, against peft v0.7.1: logits with the adapter, padded
 * batches with their mask, one training step (loss, the gradient of every LoRA parameter, so every backward kernel
 * on the way, and the parameters after one AdamW step), and the merged checkpoint.
 */
class TornadoGoldenLoraTest extends GoldenLoraTest {
    @Override
    protected String backend() {
        return "tornado";
    }
}
