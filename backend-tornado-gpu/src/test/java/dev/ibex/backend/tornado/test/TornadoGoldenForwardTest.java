package dev.ibex.backend.tornado.test;

import dev.ibex.app.golden.GoldenForwardTest;

/**
 * The app module's golden forward suite on the tornado backend, against transformers v4.36.2: full-sequence logits,
 * token-by-token decoding through the KV cache, and greedy generation of the four architectures.
 */
class TornadoGoldenForwardTest extends GoldenForwardTest {
    @Override
    protected String backend() {
        return "tornado";
    }
}
