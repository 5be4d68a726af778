using System.Buffers;
using System.Diagnostics;
using System.Numerics.Tensors;
using Microsoft.Extensions.Logging;
using ReportGen.Core.Models;
using ReportGen.Imaging;

namespace ReportGen.Onnx;

/// <summary>What an encoder made of one image (or one volume).</summary>
/// <param name="Pooled">One vector per image, as the model returned it (not normalised).</param>
/// <param name="Norm">L2 norm of <paramref name="Pooled"/>.</param>
/// <param name="Patches">Patch embeddings, <paramref name="PatchCount"/> rows of <paramref name="PatchDimension"/>, or null when the model gives none.</param>
/// <param name="PatchCount">Number of patch rows (0 without patches).</param>
/// <param name="PatchDimension">Floats per patch row (0 without patches).</param>
/// <param name="PreprocessMs">Time spent preprocessing (for a batch: this item's share).</param>
/// <param name="RunMs">Time spent in ONNX Runtime (for a batch: this item's share).</param>
public sealed record ImageEncoding(float[] Pooled, float Norm, float[]? Patches, int PatchCount, int PatchDimension, double PreprocessMs, double RunMs)
{
    /// <summary>Floats in the pooled vector.</summary>
    public int Dimension => Pooled.Length;

    /// <summary>The pooled vector scaled to unit length (a zero vector stays zero).</summary>
    public float[] UnitPooled()
    {
        var unit = new float[Pooled.Length];
        if (Norm > 0) TensorPrimitives.Divide(Pooled, Norm, unit);
        return unit;
    }
}

/// <summary>
/// An ONNX image encoder driven by its manifest entry: preprocesses with <see cref="ImagePreprocessor"/>, runs the
/// model (batched), and returns the pooled embedding and, when the manifest names a patch output, patch embeddings.
/// Thread-safe; share one per model.
/// </summary>
public sealed class ImageEncoder : IDisposable
{
    private readonly bool _ownsSession;
    private readonly string _pooledOutput;
    private readonly string? _patchOutput;
    private readonly bool _fixedBatchOfOne;

    /// <summary>Wraps a loaded session.</summary>
    /// <param name="modelId">Manifest id (reported in embeddings and CLI output).</param>
    /// <param name="session">The encoder session.</param>
    /// <param name="preprocessing">The manifest's preprocessing block.</param>
    /// <param name="ownsSession">Dispose the session with the encoder.</param>
    /// <exception cref="ArgumentException">The manifest names inputs/outputs the model does not have, or an unknown preprocessing value.</exception>
    public ImageEncoder(string modelId, OnnxSession session, Core.Models.Preprocessing preprocessing, bool ownsSession = false)
    {
        ModelId = modelId;
        Session = session;
        _ownsSession = ownsSession;
        Preprocessor = new ImagePreprocessor(preprocessing);
        var input = session.Inputs.FirstOrDefault(i => i.Name == preprocessing.InputName)
            ?? throw new ArgumentException($"model '{modelId}' has no input '{preprocessing.InputName}' (inputs: {string.Join(", ", session.Inputs)})");
        var expected = Preprocessor.Shape(1);
        if (input.Shape.Length != expected.Length || input.Shape.Skip(1).Zip(expected.Skip(1)).Any(p => p.First > 0 && p.First != p.Second))
            throw new ArgumentException($"model '{modelId}' input {input} does not match the manifest preprocessing [{string.Join(", ", expected.Skip(1))}] after the batch");
        _fixedBatchOfOne = input.Shape[0] == 1;
        string Output(string name) => session.Outputs.Any(o => o.Name == name) ? name
            : throw new ArgumentException($"model '{modelId}' has no output '{name}' (outputs: {string.Join(", ", session.Outputs.Select(o => o.Name))})");
        _patchOutput = preprocessing.PatchOutput is { } patch ? Output(patch) : null;
        _pooledOutput = preprocessing.PooledOutput is { } pooled ? Output(pooled) : _patchOutput ?? session.Outputs[0].Name;
    }

    /// <summary>Loads the encoder a manifest entry describes.</summary>
    /// <exception cref="ArgumentException">The entry is not a vision encoder with preprocessing.</exception>
    public static ImageEncoder Load(ModelEntry entry, string modelPath, OnnxSessionOptions? options = null, ILogger? logger = null)
    {
        if (entry.Preprocessing is not { } pre) throw new ArgumentException($"model '{entry.Id}' has no preprocessing block; it is not a vision encoder");
        var session = OnnxSession.Load(modelPath, options, logger);
        try
        {
            return new ImageEncoder(entry.Id, session, pre, ownsSession: true);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Manifest id of the model.</summary>
    public string ModelId { get; }

    /// <summary>The ONNX session.</summary>
    public OnnxSession Session { get; }

    /// <summary>The preprocessing the manifest asks for.</summary>
    public ImagePreprocessor Preprocessor { get; }

    /// <summary>Encodes one 2-D image.</summary>
    public ImageEncoding Encode(PixelImage image) => EncodeBatch([image])[0];

    /// <summary>Encodes several 2-D images in one run (or one run per image when the model's batch is fixed at 1).</summary>
    /// <exception cref="ArgumentException">An image is inconsistent.</exception>
    /// <exception cref="OnnxRuntimeException">The run failed.</exception>
    public IReadOnlyList<ImageEncoding> EncodeBatch(IReadOnlyList<PixelImage> images, CancellationToken cancellationToken = default)
    {
        if (Preprocessor.Depth > 0) throw new InvalidOperationException($"model '{ModelId}' is a 3-D encoder; use EncodeVolume");
        return Encode(images.Count, (i, dst) => Preprocessor.Process(images[i], dst), cancellationToken);
    }

    /// <summary>Encodes one volume (CT slices, already windowed into [0,1]) for an NCDHW encoder.</summary>
    public ImageEncoding EncodeVolume(IReadOnlyList<PixelImage> slices, CancellationToken cancellationToken = default)
    {
        if (Preprocessor.Depth == 0) throw new InvalidOperationException($"model '{ModelId}' is a 2-D encoder; use Encode");
        return Encode(1, (_, dst) => Preprocessor.ProcessVolume(slices, dst), cancellationToken)[0];
    }

    private IReadOnlyList<ImageEncoding> Encode(int count, Action<int, Span<float>> fill, CancellationToken cancellationToken)
    {
        if (count == 0) return [];
        if (_fixedBatchOfOne && count > 1)
        {
            var one = new List<ImageEncoding>(count);
            for (var i = 0; i < count; i++) one.AddRange(Encode(1, (_, dst) => fill(i, dst), cancellationToken));
            return one;
        }

        var per = Preprocessor.ValuesPerItem;
        var buffer = ArrayPool<float>.Shared.Rent(checked(per * count));
        try
        {
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                fill(i, buffer.AsSpan(i * per, per));
            }
            var preprocessMs = clock.Elapsed.TotalMilliseconds;
            cancellationToken.ThrowIfCancellationRequested();

            clock.Restart();
            var wanted = _patchOutput is null || _patchOutput == _pooledOutput ? new[] { _pooledOutput } : [_pooledOutput, _patchOutput];
            var outputs = Session.Run([new OnnxInput(Preprocessor.Spec.InputName, buffer.AsMemory(0, per * count), Preprocessor.Shape(count))], wanted);
            var runMs = clock.Elapsed.TotalMilliseconds;

            var results = new ImageEncoding[count];
            for (var i = 0; i < count; i++)
            {
                float[]? patches = null;
                int patchCount = 0, patchDim = 0;
                if (_patchOutput is not null) (patches, patchCount, patchDim) = PatchRows(outputs[_patchOutput], i, count);
                var pooled = _pooledOutput == _patchOutput ? MeanRow(patches!, patchCount, patchDim) : Item(outputs[_pooledOutput], i, count);
                var norm = TensorPrimitives.Norm<float>(pooled);
                results[i] = new ImageEncoding(pooled, norm, patches, patchCount, patchDim, preprocessMs / count, runMs / count);
            }
            return results;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    /// <summary>Item <paramref name="i"/> of a batched output, flattened ([N, D], [N, D, 1, 1], ...).</summary>
    private float[] Item(OnnxOutput output, int i, int count)
    {
        if (output.Shape.Length == 0 || output.Shape[0] != count)
            throw new OnnxRuntimeException(Native.OrtErrorCode.InvalidGraph, $"model '{ModelId}' output '{output.Name}' shape [{string.Join(", ", output.Shape)}] has no batch of {count}");
        var per = output.Data.Length / count;
        return output.Data.AsSpan(i * per, per).ToArray();
    }

    /// <summary>Patch rows of item <paramref name="i"/>: [N, P, D] as is, a CNN map [N, D, h, w] transposed to [h*w, D].</summary>
    private (float[] Rows, int Count, int Dim) PatchRows(OnnxOutput output, int i, int count)
    {
        var item = Item(output, i, count);
        var s = output.Shape;
        switch (s.Length)
        {
            case 3:
                return (item, (int)s[1], (int)s[2]);
            case 4:
                int d = (int)s[1], p = (int)(s[2] * s[3]);
                var rows = new float[item.Length];
                for (var c = 0; c < d; c++)
                    for (var k = 0; k < p; k++)
                        rows[k * d + c] = item[c * p + k];
                return (rows, p, d);
            default:
                throw new OnnxRuntimeException(Native.OrtErrorCode.InvalidGraph, $"model '{ModelId}' patch output '{output.Name}' has shape [{string.Join(", ", s)}]; expected [N, P, D] or [N, D, h, w]");
        }
    }

    private static float[] MeanRow(float[] rows, int count, int dim)
    {
        var mean = new float[dim];
        for (var k = 0; k < count; k++) TensorPrimitives.Add(mean, rows.AsSpan(k * dim, dim), mean);
        TensorPrimitives.Divide(mean, count, mean);
        return mean;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsSession) Session.Dispose();
    }
}
