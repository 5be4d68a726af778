using Microsoft.Extensions.Logging;
using ReportGen.Core.Imaging;

namespace ReportGen.Onnx;

/// <summary>
/// An ONNX projector (LLaVA style): maps encoder features — patch embeddings [1, P, D_v] or a pooled vector [1, D_v] —
/// to image tokens in the LLM's embedding space, [1, T, D_llm] (or [1, D_llm] for a single token). The projector's
/// declared input rank decides which features it takes. Thread-safe.
/// </summary>
public sealed class Projector : IDisposable
{
    private readonly bool _ownsSession;
    private readonly OnnxTensorInfo _input;
    private readonly OnnxTensorInfo _output;

    /// <summary>Wraps a loaded session (first input, first output).</summary>
    /// <exception cref="ArgumentException">The session's shapes are not a projector's.</exception>
    public Projector(OnnxSession session, bool ownsSession = false)
    {
        Session = session;
        _ownsSession = ownsSession;
        _input = session.Inputs.Count == 1 ? session.Inputs[0] : throw new ArgumentException($"projector {session.ModelName} must have exactly one input, has {session.Inputs.Count}");
        _output = session.Outputs[0];
        if (_input.Shape.Length is not (2 or 3)) throw new ArgumentException($"projector {session.ModelName} input {_input} must be [N, D] or [N, P, D]");
        if (_output.Shape.Length is not (2 or 3) || _output.Shape[^1] <= 0) throw new ArgumentException($"projector {session.ModelName} output {_output} must be [N, D] or [N, T, D] with a fixed D");
    }

    /// <summary>Loads a projector file.</summary>
    public static Projector Load(string modelPath, OnnxSessionOptions? options = null, ILogger? logger = null) =>
        new(OnnxSession.Load(modelPath, options, logger), ownsSession: true);

    /// <summary>The ONNX session.</summary>
    public OnnxSession Session { get; }

    /// <summary>The LLM embedding size the projector produces.</summary>
    public int OutputDimension => (int)_output.Shape[^1];

    /// <summary>Feature size the projector takes (-1 when the model leaves it open).</summary>
    public int InputDimension => (int)_input.Shape[^1];

    /// <summary>True when the projector takes patch rows [N, P, D]; false for a pooled vector [N, D].</summary>
    public bool TakesPatches => _input.Shape.Length == 3;

    /// <summary>Projects an encoder's output for one image.</summary>
    /// <exception cref="OnnxRuntimeException">The features do not fit the projector (the message gives both shapes).</exception>
    public ImageEmbeddings Project(ImageEncoding encoding)
    {
        if (TakesPatches && encoding.Patches is { } patches)
            return Project(patches, [1, encoding.PatchCount, encoding.PatchDimension]);
        return TakesPatches ? Project(encoding.Pooled, [1, 1, encoding.Dimension]) : Project(encoding.Pooled, [1, encoding.Dimension]);
    }

    /// <summary>Projects raw features of one item ([1, D] or [1, P, D]).</summary>
    public ImageEmbeddings Project(float[] features, long[] shape)
    {
        var output = Session.Run([new OnnxInput(_input.Name, features, shape)], [_output.Name])[_output.Name];
        var dim = (int)output.Shape[^1];
        var tokens = output.Data.Length / dim;
        var embeddings = new ImageEmbeddings(tokens, dim, output.Data);
        embeddings.Validate();
        return embeddings;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsSession) Session.Dispose();
    }
}
