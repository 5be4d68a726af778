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
    private readonly OrtSessionHandle _session;
    private readonly Dictionary<string, int> _inputIndex;
    private readonly Dictionary<string, int> _outputIndex;
    private readonly IntPtr[] _inputNameUtf8; // byte*, pinned (see PinnedUtf8)
    private readonly IntPtr[] _outputNameUtf8;
    private int _disposed;
    private readonly List<byte[]> _pinnedNames = [];

    private OnnxSession(OrtSessionHandle session, string modelName, string provider)
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
                OrtSession* session;
                OrtApi.Check(OrtApi.Table->CreateSession(env, (byte*)path, opts, &session), $"loading ONNX model {name}");
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
                OrtSession* session;
                OrtApi.Check(OrtApi.Table->CreateSessionFromArray(env, data, (nuint)copy.Length, opts, &session), $"loading ONNX model {name}");
                return session;
            }
        });
    }

    /// <summary>Makes the session from the env and the options (by path or from bytes).</summary>
    private delegate OrtSession* CreateNative(OrtEnv* env, OrtSessionOptions* options);

    private static OnnxSession Create(string name, OnnxSessionOptions options, ILogger logger, CreateNative createSession)
    {
        if (options.IntraOpThreads < 0 || options.InterOpThreads < 0)
            throw new ArgumentOutOfRangeException(nameof(options), "thread counts must be >= 0 (0 lets ONNX Runtime choose)");
        var env = OrtGlobals.Env;
        using var sessionOptions = OrtSessionOptionsHandle.Create();
        var opts = sessionOptions.Pointer;
        OrtApi.Check(OrtApi.Table->SetIntraOpNumThreads(opts, options.IntraOpThreads), "SetIntraOpNumThreads");
        OrtApi.Check(OrtApi.Table->SetInterOpNumThreads(opts, options.InterOpThreads), "SetInterOpNumThreads");
        OrtApi.Check(OrtApi.Table->SetSessionGraphOptimizationLevel(opts, options.OptimizationLevel), "SetSessionGraphOptimizationLevel");

        var provider = "CPU";
        if (options.UseCuda)
        {
            var why = TryAppendCuda(opts, options.CudaDeviceId);
            if (why is null) provider = "CUDA";
            else logger.LogWarning("CUDA execution provider unavailable for {Model} ({Reason}); running on CPU", name, why);
        }

        var session = new OrtSessionHandle(createSession(env.Pointer, opts));
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
    internal static string? TryAppendCuda(OrtSessionOptions* opts, int deviceId, bool checkFiles = true)
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
        var status = OrtApi.Table->SessionOptionsAppendExecutionProvider_CUDA(opts, &cuda);
        if (status == null) return null;
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
        // ORT takes arrays of raw value pointers, so inputs and outputs are released in the finally below, not by SafeHandles.
        var inputValues = stackalloc OrtValue*[inputs.Count];
        var inputNames = stackalloc byte*[inputs.Count];
        var outputValues = stackalloc OrtValue*[outputs.Count];
        var outputNamePtrs = stackalloc byte*[outputs.Count];
        for (var i = 0; i < outputs.Count; i++) { outputValues[i] = null; outputNamePtrs[i] = (byte*)_outputNameUtf8[outputSlots[i]]; }
        for (var i = 0; i < inputs.Count; i++) inputValues[i] = null;

        var addedRef = false;
        try
        {
            _session.DangerousAddRef(ref addedRef);
            var memory = OrtGlobals.CpuMemory.Pointer;
            for (var i = 0; i < inputs.Count; i++)
            {
                var input = inputs[i];
                inputNames[i] = (byte*)_inputNameUtf8[inputSlots[i]];
                pins[i] = input.Data.Pin();
                fixed (long* shape = input.Shape)
                {
                    OrtValue* value;
                    OrtApi.Check(OrtApi.Table->CreateTensorWithDataAsOrtValue(
                        memory, pins[i].Pointer, (nuint)(input.Data.Length * sizeof(float)), shape, (nuint)input.Shape.Length, OnnxElementType.Float, &value), $"input '{input.Name}'");
                    inputValues[i] = value;
                }
            }

            OrtApi.Check(OrtApi.Table->Run(
                _session.Pointer, null, inputNames, inputValues, (nuint)inputs.Count, outputNamePtrs, (nuint)outputs.Count, outputValues), $"running {ModelName}");

            var result = new Dictionary<string, OnnxOutput>(outputs.Count, StringComparer.Ordinal);
            for (var i = 0; i < outputs.Count; i++) result[outputs[i]] = CopyOut(outputs[i], outputValues[i]);
            return result;
        }
        finally
        {
            for (var i = 0; i < outputs.Count; i++) if (outputValues[i] != null) OrtApi.Table->ReleaseValue(outputValues[i]);
            for (var i = 0; i < inputs.Count; i++) if (inputValues[i] != null) OrtApi.Table->ReleaseValue(inputValues[i]);
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

    private OnnxOutput CopyOut(string name, OrtValue* value)
    {
        OrtTensorTypeAndShapeInfo* rawInfo;
        OrtApi.Check(OrtApi.Table->GetTensorTypeAndShape(value, &rawInfo), $"output '{name}'");
        using var info = new OrtTensorTypeAndShapeInfoHandle(rawInfo);
        var (type, shape) = ReadTypeAndShape(rawInfo);
        if (type != OnnxElementType.Float)
            throw new OnnxRuntimeException(OrtErrorCode.NotImplemented, $"{ModelName} output '{name}' is {type}; only float outputs are supported");
        nuint count;
        OrtApi.Check(OrtApi.Table->GetTensorShapeElementCount(rawInfo, &count), $"output '{name}'");
        void* data;
        OrtApi.Check(OrtApi.Table->GetTensorMutableData(value, &data), $"output '{name}'");
        var values = new float[checked((int)count)];
        new ReadOnlySpan<float>(data, values.Length).CopyTo(values);
        return new OnnxOutput(name, shape, values);
    }

    private static (OnnxElementType Type, long[] Shape) ReadTypeAndShape(OrtTensorTypeAndShapeInfo* tensorInfo)
    {
        OnnxElementType type;
        OrtApi.Check(OrtApi.Table->GetTensorElementType(tensorInfo, &type), "GetTensorElementType");
        nuint rank;
        OrtApi.Check(OrtApi.Table->GetDimensionsCount(tensorInfo, &rank), "GetDimensionsCount");
        var shape = new long[(int)rank];
        fixed (long* dims = shape)
            OrtApi.Check(OrtApi.Table->GetDimensions(tensorInfo, dims, rank), "GetDimensions");
        return (type, shape);
    }

    private OnnxTensorInfo[] ReadInfos(bool isInput)
    {
        var session = _session.Pointer;
        var api = OrtApi.Table;
        nuint count;
        OrtApi.Check(isInput ? api->SessionGetInputCount(session, &count) : api->SessionGetOutputCount(session, &count), "SessionGet*Count");
        var allocator = OrtApi.DefaultAllocator();
        var infos = new OnnxTensorInfo[(int)count];
        for (var i = 0; i < infos.Length; i++)
        {
            byte* rawName;
            OrtApi.Check(isInput ? api->SessionGetInputName(session, (nuint)i, allocator, &rawName) : api->SessionGetOutputName(session, (nuint)i, allocator, &rawName), "SessionGet*Name");
            var name = OrtApi.TakeAllocatorString(allocator, rawName);

            OrtTypeInfo* rawType;
            OrtApi.Check(isInput ? api->SessionGetInputTypeInfo(session, (nuint)i, &rawType) : api->SessionGetOutputTypeInfo(session, (nuint)i, &rawType), $"type of '{name}'");
            using var typeInfo = new OrtTypeInfoHandle(rawType);
            OrtTensorTypeAndShapeInfo* tensorInfo; // owned by typeInfo: not released separately
            OrtApi.Check(api->CastTypeInfoToTensorInfo(rawType, &tensorInfo), $"type of '{name}'");
            if (tensorInfo == null)
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
}
