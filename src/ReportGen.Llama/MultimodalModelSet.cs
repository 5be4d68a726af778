using ReportGen.Core.Models;

namespace ReportGen.Llama;

/// <summary>
/// A vision-language set of kind <c>mmproj</c> from models.json (<c>{"id", "kind": "mmproj", "llm", "mmproj", "modality"}</c>):
/// the LLM GGUF and its mmproj, loaded together (the sibling of the ONNX encoder + projector set,
/// <c>ReportGen.Onnx.VisionLanguageModelSet</c>). The chat template comes from the LLM GGUF and the media marker from
/// libmtmd. When any step fails, whatever was loaded is disposed before the error surfaces.
/// <code>
/// using var set = MultimodalModelSet.Load(resolver, "tiny-gemma3-mmproj");
/// var scheduler = new SequenceScheduler(set.Model, ...);
/// var chat = new LlamaChatClient(scheduler, set.Projector, new RgbImageDecoder());
/// </code>
/// </summary>
public sealed class MultimodalModelSet : IDisposable
{
    private MultimodalModelSet(ModelSet definition, ResolvedModel llm, ResolvedModel mmproj, LlamaModel model, MultimodalProjector projector)
    {
        Definition = definition;
        Llm = llm;
        Mmproj = mmproj;
        Model = model;
        Projector = projector;
    }

    /// <summary>The manifest's definition of the set.</summary>
    public ModelSet Definition { get; }
    /// <summary>The set's id.</summary>
    public string Id => Definition.Id;
    /// <summary>The LLM's manifest entry, verified path and SHA-256.</summary>
    public ResolvedModel Llm { get; }
    /// <summary>The mmproj's manifest entry, verified path and SHA-256.</summary>
    public ResolvedModel Mmproj { get; }
    /// <summary>The loaded LLM.</summary>
    public LlamaModel Model { get; }
    /// <summary>The loaded mmproj.</summary>
    public MultimodalProjector Projector { get; }

    /// <summary>Whether <paramref name="setId"/> names a set of kind mmproj in the resolver's manifest.</summary>
    public static bool IsMmprojSet(ModelResolver resolver, string setId) =>
        resolver.Manifest.FindSet(setId) is { Kind: ModelSetKind.Mmproj };

    /// <summary>Resolves (and hash-checks) both files and loads them.</summary>
    /// <exception cref="KeyNotFoundException">No set has that id.</exception>
    /// <exception cref="ArgumentException">The set is not of kind mmproj.</exception>
    /// <exception cref="FileNotFoundException">A file is missing or does not match its hash.</exception>
    /// <exception cref="MultimodalProjectorException">The mmproj does not fit the LLM or is not supported.</exception>
    /// <exception cref="Native.MtmdNotFoundException">libmtmd has not been built.</exception>
    public static MultimodalModelSet Load(ModelResolver resolver, string setId, LlamaModelOptions? llmOptions = null, MultimodalProjectorOptions? projectorOptions = null)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        var set = resolver.Manifest.FindSet(setId)
            ?? throw new KeyNotFoundException($"unknown model set '{setId}'; sets: {string.Join(", ", resolver.Manifest.Sets.Select(s => s.Id))}");
        if (set.Kind != ModelSetKind.Mmproj || set.Mmproj is null)
            throw new ArgumentException($"model set '{setId}' is an ONNX encoder + projector set, not of kind mmproj", nameof(setId));
        resolver.RequirePath(set.Llm);
        resolver.RequirePath(set.Mmproj);
        var llm = resolver.Resolve(set.Llm);
        var mmproj = resolver.Resolve(set.Mmproj);
        var model = LlamaModel.Load(llm.Path!, llmOptions);
        try
        {
            return new MultimodalModelSet(set, llm, mmproj, model, MultimodalProjector.Load(model, mmproj.Path!, projectorOptions));
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Frees the mmproj, then the LLM (a scheduler still using the LLM keeps it alive until it is disposed).</summary>
    public void Dispose()
    {
        Projector.Dispose();
        Model.Dispose();
    }
}
