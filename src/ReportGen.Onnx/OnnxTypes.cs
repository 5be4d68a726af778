namespace ReportGen.Onnx;

/// <summary>ONNX Runtime graph optimisation levels (<c>GraphOptimizationLevel</c>).</summary>
public enum GraphOptimizationLevel
{
    /// <summary>No graph optimisation.</summary>
    Disabled = 0,
    /// <summary>Constant folding, redundant node elimination.</summary>
    Basic = 1,
    /// <summary>Basic plus complex node fusions.</summary>
    Extended = 2,
    /// <summary>Extended plus layout optimisations.</summary>
    Layout = 3,
    /// <summary>Everything (the default).</summary>
    All = 99,
}

/// <summary>How to build an <see cref="OnnxSession"/>.</summary>
public sealed record OnnxSessionOptions
{
    /// <summary>Threads inside one operator; 0 lets ONNX Runtime choose (one per physical core).</summary>
    public int IntraOpThreads { get; init; }
    /// <summary>Threads across independent operators; 0 lets ONNX Runtime choose.</summary>
    public int InterOpThreads { get; init; }
    /// <summary>Graph optimisation level.</summary>
    public GraphOptimizationLevel OptimizationLevel { get; init; } = GraphOptimizationLevel.All;
    /// <summary>Try the CUDA execution provider; when it cannot be added the session runs on CPU and logs one warning.</summary>
    public bool UseCuda { get; init; }
    /// <summary>CUDA device ordinal when <see cref="UseCuda"/> is set.</summary>
    public int CudaDeviceId { get; init; }
}

/// <summary>Tensor element types (<c>ONNXTensorElementDataType</c>).</summary>
public enum OnnxElementType
{
    /// <summary>The C API's zero value: no element type set.</summary>
    Undefined = 0,
    /// <summary>float32.</summary>
    Float = 1,
    /// <summary>uint8.</summary>
    UInt8 = 2,
    /// <summary>int8.</summary>
    Int8 = 3,
    /// <summary>uint16.</summary>
    UInt16 = 4,
    /// <summary>int16.</summary>
    Int16 = 5,
    /// <summary>int32.</summary>
    Int32 = 6,
    /// <summary>int64.</summary>
    Int64 = 7,
    /// <summary>Variable-length strings (not a fixed-size element; not read as numbers).</summary>
    String = 8,
    /// <summary>bool, one byte per element.</summary>
    Bool = 9,
    /// <summary>float16.</summary>
    Float16 = 10,
    /// <summary>float64.</summary>
    Double = 11,
    /// <summary>uint32.</summary>
    UInt32 = 12,
    /// <summary>uint64.</summary>
    UInt64 = 13,
    /// <summary>complex64.</summary>
    Complex64 = 14,
    /// <summary>complex128.</summary>
    Complex128 = 15,
    /// <summary>bfloat16.</summary>
    BFloat16 = 16,
}

/// <summary>A model input or output as the graph declares it.</summary>
/// <param name="Name">Tensor name.</param>
/// <param name="ElementType">Element type (<see cref="OnnxElementType.Undefined"/> for non-tensor values).</param>
/// <param name="Shape">Dimensions; -1 where the dimension is symbolic (e.g. the batch).</param>
public sealed record OnnxTensorInfo(string Name, OnnxElementType ElementType, long[] Shape)
{
    /// <summary>"input: Float [-1, 3, 224, 224]".</summary>
    public override string ToString() => $"{Name}: {ElementType} [{string.Join(", ", Shape)}]";
}

/// <summary>A float tensor handed to <see cref="OnnxSession.Run(IReadOnlyList{OnnxInput}, IReadOnlyList{string}?)"/>; the data is only read.</summary>
/// <param name="Name">Input name.</param>
/// <param name="Data">Row-major values; length must equal the product of <paramref name="Shape"/>.</param>
/// <param name="Shape">Concrete dimensions (no -1).</param>
public readonly record struct OnnxInput(string Name, ReadOnlyMemory<float> Data, long[] Shape);

/// <summary>One output of a run, copied out of native memory.</summary>
/// <param name="Name">Output name.</param>
/// <param name="Shape">Concrete dimensions.</param>
/// <param name="Data">Row-major values.</param>
public sealed record OnnxOutput(string Name, long[] Shape, float[] Data);
