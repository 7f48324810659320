package dev.ibex.spi.nn;

import java.util.List;
import java.util.Objects;

/**
 * A decoder-only language model made of shared blocks: token embedding, optional input projection and learned
 * positions (OPT), decoder layers, final norm, optional output projection, output head. Architecture plugins
 * build one of these from their config; the layer loop, row selection for logits and gradient checkpointing
 * live here once.
 *
 * @param info       the model's facts
 * @param embedding  token embedding table {@code [vocab, embedDim]}
 * @param projectIn  {@code embedDim → hidden} (OPT-350m), or null
 * @param positions  learned positions (OPT), or null (rotary models)
 * @param layers     the decoder layers
 * @param finalNorm  the final norm, or null (OPT post-LN)
 * @param projectOut {@code hidden → embedDim} (OPT-350m), or null
 * @param head       the output head {@code [vocab, embedDim]}
 */
public record DecoderModel(ModelInfo info, Var embedding, Linear projectIn, LearnedPositions positions,
                           List<DecoderLayer> layers, Norm finalNorm, Linear projectOut, Linear head)
        implements CausalLM {

    public DecoderModel {
        Objects.requireNonNull(info, "info");
        Objects.requireNonNull(embedding, "embedding");
        Objects.requireNonNull(head, "head");
        layers = List.copyOf(layers);
    }

    @Override
    public Var forward(Graph g, Batch in) {
        Var x = g.embedding(in.ids(), embedding);
        if (projectIn != null) {
            x = projectIn.forward(g, x);
        }
        if (positions != null) {
            x = g.add(x, positions.forward(g, in));
        }
        for (int i = 0; i < layers.size(); i++) {
            DecoderLayer layer = layers.get(i);
            int index = i;
            x = in.checkpointLayers() && g.recording()
                    ? g.checkpoint((gg, h) -> layer.forward(gg, h, in, index), x)
                    : layer.forward(g, x, in, index);
        }
        if (in.logitRows() != null) {
            x = g.embedding(in.logitRows(), x); // a row gather: norms and the head work row by row
        }
        if (finalNorm != null) {
            x = finalNorm.forward(g, x);
        }
        if (projectOut != null) {
            x = projectOut.forward(g, x);
        }
        return head.forward(g, x);
    }
}
