package dev.ibex.spi.nn;

import java.util.List;

/**
 * The facts about a model the runtime needs, whatever its architecture.
 *
 * @param architecture  provider name ("llama")
 * @param vocabSize     rows of the embedding / columns of the logits
 * @param hiddenSize    width of the residual stream
 * @param layers        decoder layers
 * @param heads         query heads
 * @param kvHeads       key/value heads
 * @param headDim       size of each head
 * @param maxPositions  context length the model was trained for
 * @param bosTokenId    beginning-of-sequence id, or -1
 * @param eosTokenIds   end-of-sequence ids
 * @param padTokenId    padding id, or -1
 */
public record ModelInfo(String architecture, int vocabSize, int hiddenSize, int layers, int heads, int kvHeads,
                        int headDim, int maxPositions, int bosTokenId, List<Integer> eosTokenIds, int padTokenId) {
    public ModelInfo {
        eosTokenIds = List.copyOf(eosTokenIds);
    }
}
