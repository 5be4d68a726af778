using ReportGen.Onnx.Native;

namespace ReportGen.Onnx;

/// <summary>An ONNX Runtime call failed, or a model was used in a way it does not accept; the message says which.</summary>
public sealed class OnnxRuntimeException : Exception
{
    /// <summary>Creates the exception.</summary>
    public OnnxRuntimeException(OrtErrorCode code, string message) : base(message) => Code = code;

    /// <summary>ORT's error code (<see cref="OrtErrorCode.InvalidArgument"/> for checks made on our side).</summary>
    public OrtErrorCode Code { get; }
}
