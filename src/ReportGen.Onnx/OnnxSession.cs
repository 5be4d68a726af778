using System.Buffers;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ReportGen.Onnx.Native;

namespace ReportGen.Onnx;

/// <summary>
/// One loaded ONNX model. Create one per model and share it: <see cref="Run(IReadOnlyList{OnnxInput}, IReadOnlyList{string}?)"/>
/// may be called from many threads at once (ONNX Runtime sessions are safe for concurrent Run).
/// </summary>
public sealed unsafe class OnnxSession : IDisposable
{
    private readonly OrtHandle _session;
    private readonly Dictionary<string, int> _inputIndex;
    private readonly Dictionary<string, int> _outputIndex;
    private readonly IntPtr[] _inputNameUtf8;
    private readonly IntPtr[] _outputNameUtf8;
    private int _disposed;
    private readonly List<byte[]> _pinnedNames = [];

    private OnnxSession(OrtHandle session, string modelName, string provider)
    {
        _session = session;
        ModelName = modelName;
        ExecutionProvider = provider;
        Inputs = ReadInfos(isInput: true);
        Outputs = ReadInfos(isInput: false);
        _inputIndex = Inputs.Select((t, i) => (t.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
        _outputIndex = Outputs.Select((t, i) => (t.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
        _inputNameUtf8 = Inputs.Select(t => PinnedUtf8(t.Name)).ToArray();
        _outputNameUtf8 = Outputs.Select(t => PinnedUtf8(t.Name)).ToArray();
    }

    /// <summary>The model file name (for messages).</summary>
    public string ModelName { get; }

    /// <summary><c>CPU</c> or <c>CUDA</c>: where the session runs.</summary>
    public string ExecutionProvider { get; }

    /// <summary>The graph inputs, in order.</summary>
    public IReadOnlyList<OnnxTensorInfo> Inputs { get; }

    /// <summary>The graph outputs, in order.</summary>
    public IReadOnlyList<OnnxTensorInfo> Outputs { get; }

    /// <summary>Execution providers compiled into the loaded ONNX Runtime.</summary>
    public static IReadOnlyList<string> AvailableProviders() => OrtApi.AvailableProviders();

    /// <summary>Loads a model file.</summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="modelPath"/>.</exception>
    /// <exception cref="OnnxRuntimeException">ONNX Runtime rejected the file or the options.</exception>
    /// <exception cref="DllNotFoundException">The native library is missing.</exception>
    public static OnnxSession Load(string modelPath, OnnxSessionOptions? options = null, ILogger? logger = null)
    {
        if (!File.Exists(modelPath)) throw new FileNotFoundException($"ONNX model not found: {modelPath}", modelPath);
        var name = Path.GetFileName(modelPath);
        return Create(name, options ?? new(), logger ?? NullLogger.Instance, (env, opts) =>
        {
            var path = Marshal.StringToCoTaskMemUTF8(modelPath); // ORTCHAR_T is char (UTF-8) on Linux and macOS
            try
            {
                IntPtr session;
                OrtApi.Check(((delegate* unmanaged[Cdecl]<IntPtr, IntPtr, IntPtr, IntPtr*, IntPtr>)OrtApi.Fn(OrtApiSlot.CreateSession))(env, path, opts, &session), $"loading ONNX model {name}");
                return session;
            }
            finally
            {
                Marshal.FreeCoTaskMem(path);
            }
        });
    }

    /// <summary>Loads a model from bytes (tests, embedded fixtures).</summary>
    /// <exception cref="OnnxRuntimeException">ONNX Runtime rejected the bytes or the options.</exception>
    public static OnnxSession Load(ReadOnlySpan<byte> model, string name, OnnxSessionOptions? options = null, ILogger? logger = null)
    {
        var copy = model.ToArray();
        return Create(name, options ?? new(), logger ?? NullLogger.Instance, (env, opts) =>
        {
            fixed (byte* data = copy)
            {
                IntPtr session;
                OrtApi.Check(((delegate* unmanaged[Cdecl]<IntPtr, void*, nuint, IntPtr, IntPtr*, IntPtr>)OrtApi.Fn(OrtApiSlot.CreateSessionFromArray))(env, data, (nuint)copy.Length, opts, &session), $"loading ONNX model {name}");
                return session;
            }
        });
    }

    private static OnnxSession Create(string name, OnnxSessionOptions options, ILogger logger, Func<IntPtr, IntPtr, IntPtr> createSession)
    {
        if (options.IntraOpThreads < 0 || options.InterOpThreads < 0)
            throw new ArgumentOutOfRangeException(nameof(options), "thread counts must be >= 0 (0 lets ONNX Runtime choose)");
        var env = OrtGlobals.Env;
        IntPtr rawOptions;
        OrtApi.Check(((delegate* unmanaged[Cdecl]<IntPtr*, IntPtr>)OrtApi.Fn(OrtApiSlot.CreateSessionOptions))(&rawOptions), "CreateSessionOptions");
        using var sessionOptions = new OrtHandle(rawOptions, OrtApiSlot.ReleaseSessionOptions);
        var opts = sessionOptions.DangerousGetHandle();
        OrtApi.Check(((delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr>)OrtApi.Fn(OrtApiSlot.SetIntraOpNumThreads))(opts, options.IntraOpThreads), "SetIntraOpNumThreads");
        OrtApi.Check(((delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr>)OrtApi.Fn(OrtApiSlot.SetInterOpNumThreads))(opts, options.InterOpThreads), "SetInterOpNumThreads");
        OrtApi.Check(((delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr>)OrtApi.Fn(OrtApiSlot.SetSessionGraphOptimizationLevel))(opts, (int)options.OptimizationLevel), "SetSessionGraphOptimizationLevel");

        var provider = "CPU";
        if (options.UseCuda)
        {
            var why = TryAppendCuda(opts, options.CudaDeviceId);
            if (why is null) provider = "CUDA";
            else logger.LogWarning("CUDA execution provider unavailable for {Model} ({Reason}); running on CPU", name, why);
        }

        var session = new OrtHandle(createSession(env.DangerousGetHandle(), opts), OrtApiSlot.ReleaseSession);
        try
        {
            return new OnnxSession(session, name, provider);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Adds the CUDA provider; returns null on success or the reason it could not be added.</summary>
    internal static string? TryAppendCuda(IntPtr opts, int deviceId, bool checkFiles = true)
    {
        if (!OrtApi.AvailableProviders().Contains("CUDAExecutionProvider"))
            return "this ONNX Runtime build has no CUDAExecutionProvider";
        // ORT loads the provider from libonnxruntime_providers_cuda.so beside itself (the npm package ships without it);
        // checking first gives a clearer reason and keeps ORT from printing its own error line.
        foreach (var lib in (string[])["libonnxruntime_providers_shared.so", "libonnxruntime_providers_cuda.so"])
            if (checkFiles && !File.Exists(Path.Combine(OrtLibrary.Directory, lib)))
                return $"{lib} is not in {OrtLibrary.Directory}";
        var cuda = new OrtCudaProviderOptions
        {
            DeviceId = deviceId,
            CudnnConvAlgoSearch = 1, // heuristic: exhaustive search makes the first run very slow
            GpuMemLimit = nuint.MaxValue,
            DoCopyInDefaultStream = 1,
        };
        var status = ((delegate* unmanaged[Cdecl]<IntPtr, OrtCudaProviderOptions*, IntPtr>)OrtApi.Fn(OrtApiSlot.SessionOptionsAppendExecutionProvider_CUDA))(opts, &cuda);
        if (status == IntPtr.Zero) return null;
        var error = OrtApi.ToException(status, null);
        return error.Message.Split('\n')[0];
    }

    /// <summary>Runs the model on one float input and returns every output.</summary>
    public IReadOnlyDictionary<string, OnnxOutput> Run(string inputName, ReadOnlyMemory<float> data, params long[] shape) =>
        Run([new OnnxInput(inputName, data, shape)]);

    /// <summary>Runs the model. Inputs are checked against the graph first (name, rank, fixed dimensions, element count).</summary>
    /// <param name="inputs">Every graph input, float tensors.</param>
    /// <param name="outputNames">Outputs to compute; null for all.</param>
    /// <returns>The requested outputs by name, copied into managed arrays.</returns>
    /// <exception cref="OnnxRuntimeException">A bad input (the message names it) or a failure inside ONNX Runtime.</exception>
    public IReadOnlyDictionary<string, OnnxOutput> Run(IReadOnlyList<OnnxInput> inputs, IReadOnlyList<string>? outputNames = null)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var outputs = outputNames ?? Outputs.Select(o => o.Name).ToArray();
        var outputSlots = new int[outputs.Count];
        for (var i = 0; i < outputs.Count; i++)
            outputSlots[i] = _outputIndex.TryGetValue(outputs[i], out var k) ? k
                : throw Invalid($"{ModelName} has no output '{outputs[i]}' (outputs: {string.Join(", ", Outputs.Select(o => o.Name))})");
        var inputSlots = new int[inputs.Count];
        for (var i = 0; i < inputs.Count; i++) inputSlots[i] = CheckInput(inputs[i]);
        if (inputs.Count != Inputs.Count)
            throw Invalid($"{ModelName} needs inputs {string.Join(", ", Inputs)}; got {string.Join(", ", inputs.Select(x => x.Name))}");

        var pins = new MemoryHandle[inputs.Count];
        var inputValues = stackalloc IntPtr[inputs.Count];
        var inputNames = stackalloc IntPtr[inputs.Count];
        var outputValues = stackalloc IntPtr[outputs.Count];
        var outputNamePtrs = stackalloc IntPtr[outputs.Count];
        for (var i = 0; i < outputs.Count; i++) { outputValues[i] = IntPtr.Zero; outputNamePtrs[i] = _outputNameUtf8[outputSlots[i]]; }
        for (var i = 0; i < inputs.Count; i++) inputValues[i] = IntPtr.Zero;

        var addedRef = false;
        try
        {
            _session.DangerousAddRef(ref addedRef);
            var memory = OrtGlobals.CpuMemory.DangerousGetHandle();
            for (var i = 0; i < inputs.Count; i++)
            {
                var input = inputs[i];
                inputNames[i] = _inputNameUtf8[inputSlots[i]];
                pins[i] = input.Data.Pin();
                fixed (long* shape = input.Shape)
                {
                    IntPtr value;
                    OrtApi.Check(((delegate* unmanaged[Cdecl]<IntPtr, void*, nuint, long*, nuint, int, IntPtr*, IntPtr>)OrtApi.Fn(OrtApiSlot.CreateTensorWithDataAsOrtValue))(
                        memory, pins[i].Pointer, (nuint)(input.Data.Length * sizeof(float)), shape, (nuint)input.Shape.Length, (int)OnnxElementType.Float, &value), $"input '{input.Name}'");
                    inputValues[i] = value;
                }
            }

            OrtApi.Check(((delegate* unmanaged[Cdecl]<IntPtr, IntPtr, IntPtr*, IntPtr*, nuint, IntPtr*, nuint, IntPtr*, IntPtr>)OrtApi.Fn(OrtApiSlot.Run))(
                _session.DangerousGetHandle(), IntPtr.Zero, inputNames, inputValues, (nuint)inputs.Count, outputNamePtrs, (nuint)outputs.Count, outputValues), $"running {ModelName}");

            var result = new Dictionary<string, OnnxOutput>(outputs.Count, StringComparer.Ordinal);
            for (var i = 0; i < outputs.Count; i++) result[outputs[i]] = CopyOut(outputs[i], outputValues[i]);
            return result;
        }
        finally
        {
            for (var i = 0; i < outputs.Count; i++) if (outputValues[i] != IntPtr.Zero) OrtApi.Release(OrtApiSlot.ReleaseValue, outputValues[i]);
            for (var i = 0; i < inputs.Count; i++) if (inputValues[i] != IntPtr.Zero) OrtApi.Release(OrtApiSlot.ReleaseValue, inputValues[i]);
            foreach (var pin in pins) pin.Dispose();
            if (addedRef) _session.DangerousRelease();
        }
    }

    private int CheckInput(OnnxInput input)
    {
        if (!_inputIndex.TryGetValue(input.Name, out var slot))
            throw Invalid($"{ModelName} has no input '{input.Name}' (inputs: {string.Join(", ", Inputs)})");
        var info = Inputs[slot];
        if (info.ElementType != OnnxElementType.Float)
            throw Invalid($"{ModelName} input '{input.Name}' is {info.ElementType}; only float inputs are supported");
        var shape = input.Shape;
        var expected = $"[{string.Join(", ", info.Shape)}]";
        if (shape.Length != info.Shape.Length)
            throw Invalid($"{ModelName} input '{input.Name}' has shape [{string.Join(", ", shape)}]; the model expects {expected}");
        long count = 1;
        for (var d = 0; d < shape.Length; d++)
        {
            if (shape[d] <= 0 || (info.Shape[d] > 0 && info.Shape[d] != shape[d]))
                throw Invalid($"{ModelName} input '{input.Name}' has shape [{string.Join(", ", shape)}]; the model expects {expected}");
            count = checked(count * shape[d]);
        }
        if (count != input.Data.Length)
            throw Invalid($"{ModelName} input '{input.Name}' shape [{string.Join(", ", shape)}] needs {count} values; got {input.Data.Length}");
        return slot;
    }

    private static OnnxRuntimeException Invalid(string message) => new(OrtErrorCode.InvalidArgument, message);

    private OnnxOutput CopyOut(string name, IntPtr value)
    {
        IntPtr rawInfo;
        OrtApi.Check(((delegate* unmanaged[Cdecl]<IntPtr, IntPtr*, IntPtr>)OrtApi.Fn(OrtApiSlot.GetTensorTypeAndShape))(value, &rawInfo), $"output '{name}'");
        using var info = new OrtHandle(rawInfo, OrtApiSlot.ReleaseTensorTypeAndShapeInfo);
        var (type, shape) = ReadTypeAndShape(rawInfo);
        if (type != OnnxElementType.Float)
            throw new OnnxRuntimeException(OrtErrorCode.NotImplemented, $"{ModelName} output '{name}' is {type}; only float outputs are supported");
        nuint count;
        OrtApi.Check(((delegate* unmanaged[Cdecl]<IntPtr, nuint*, IntPtr>)OrtApi.Fn(OrtApiSlot.GetTensorShapeElementCount))(rawInfo, &count), $"output '{name}'");
        void* data;
        OrtApi.Check(((delegate* unmanaged[Cdecl]<IntPtr, void**, IntPtr>)OrtApi.Fn(OrtApiSlot.GetTensorMutableData))(value, &data), $"output '{name}'");
        var values = new float[checked((int)count)];
        new ReadOnlySpan<float>(data, values.Length).CopyTo(values);
        return new OnnxOutput(name, shape, values);
    }

    private static (OnnxElementType Type, long[] Shape) ReadTypeAndShape(IntPtr tensorInfo)
    {
        int type;
        OrtApi.Check(((delegate* unmanaged[Cdecl]<IntPtr, int*, IntPtr>)OrtApi.Fn(OrtApiSlot.GetTensorElementType))(tensorInfo, &type), "GetTensorElementType");
        nuint rank;
        OrtApi.Check(((delegate* unmanaged[Cdecl]<IntPtr, nuint*, IntPtr>)OrtApi.Fn(OrtApiSlot.GetDimensionsCount))(tensorInfo, &rank), "GetDimensionsCount");
        var shape = new long[(int)rank];
        fixed (long* dims = shape)
            OrtApi.Check(((delegate* unmanaged[Cdecl]<IntPtr, long*, nuint, IntPtr>)OrtApi.Fn(OrtApiSlot.GetDimensions))(tensorInfo, dims, rank), "GetDimensions");
        return ((OnnxElementType)type, shape);
    }

    private OnnxTensorInfo[] ReadInfos(bool isInput)
    {
        var session = _session.DangerousGetHandle();
        nuint count;
        OrtApi.Check(((delegate* unmanaged[Cdecl]<IntPtr, nuint*, IntPtr>)OrtApi.Fn(isInput ? OrtApiSlot.SessionGetInputCount : OrtApiSlot.SessionGetOutputCount))(session, &count), "SessionGet*Count");
        var allocator = OrtApi.DefaultAllocator();
        var infos = new OnnxTensorInfo[(int)count];
        for (var i = 0; i < infos.Length; i++)
        {
            IntPtr rawName;
            OrtApi.Check(((delegate* unmanaged[Cdecl]<IntPtr, nuint, IntPtr, IntPtr*, IntPtr>)OrtApi.Fn(isInput ? OrtApiSlot.SessionGetInputName : OrtApiSlot.SessionGetOutputName))(session, (nuint)i, allocator, &rawName), "SessionGet*Name");
            var name = OrtApi.TakeAllocatorString(allocator, rawName);

            IntPtr rawType;
            OrtApi.Check(((delegate* unmanaged[Cdecl]<IntPtr, nuint, IntPtr*, IntPtr>)OrtApi.Fn(isInput ? OrtApiSlot.SessionGetInputTypeInfo : OrtApiSlot.SessionGetOutputTypeInfo))(session, (nuint)i, &rawType), $"type of '{name}'");
            using var typeInfo = new OrtHandle(rawType, OrtApiSlot.ReleaseTypeInfo);
            IntPtr tensorInfo; // owned by typeInfo: not released separately
            OrtApi.Check(((delegate* unmanaged[Cdecl]<IntPtr, IntPtr*, IntPtr>)OrtApi.Fn(OrtApiSlot.CastTypeInfoToTensorInfo))(rawType, &tensorInfo), $"type of '{name}'");
            if (tensorInfo == IntPtr.Zero)
            {
                infos[i] = new OnnxTensorInfo(name, OnnxElementType.Undefined, []);
                continue;
            }
            var (type, shape) = ReadTypeAndShape(tensorInfo);
            infos[i] = new OnnxTensorInfo(name, type, shape);
        }
        return infos;
    }

    /// <summary>Releases the native session. Runs in progress finish first (the handle is reference-counted).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _session.Dispose();
    }

    /// <summary>A NUL-terminated UTF-8 copy on the pinned object heap: its address never moves and the GC frees it, so a
    /// run still in flight during <see cref="Dispose"/> never reads freed memory.</summary>
    private IntPtr PinnedUtf8(string s)
    {
        var bytes = GC.AllocateArray<byte>(System.Text.Encoding.UTF8.GetByteCount(s) + 1, pinned: true);
        System.Text.Encoding.UTF8.GetBytes(s, bytes);
        _pinnedNames.Add(bytes);
        return (IntPtr)System.Runtime.CompilerServices.Unsafe.AsPointer(ref bytes[0]);
    }

    /// <summary>Mirrors <c>OrtCUDAProviderOptions</c> of the version-30 header (x86-64 layout, 64 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct OrtCudaProviderOptions
    {
        public int DeviceId;
        public int CudnnConvAlgoSearch;
        public nuint GpuMemLimit;
        public int ArenaExtendStrategy;
        public int DoCopyInDefaultStream;
        public int HasUserComputeStream;
        public IntPtr UserComputeStream;
        public IntPtr DefaultMemoryArenaCfg;
        public int TunableOpEnable;
        public int TunableOpTuningEnable;
        public int TunableOpMaxTuningDurationMs;
    }
}
