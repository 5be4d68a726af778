using Xunit.v3;

namespace ReportGen.TestSupport;

/// <summary>
/// Marks tests that need neither ../shared nor a native runtime (llama.cpp, ONNX Runtime, libmtmd) nor a child process:
/// trait <c>Speed=Fast</c>, so they run alone in seconds with <c>dotnet test ReportGen.sln --filter Speed=Fast</c>.
/// </summary>
/// <remarks>
/// Checked by running that filter with <c>REPORTGEN_SHARED</c>, <c>REPORTGEN_LLAMA_LIB_DIR</c> and <c>REPORTGEN_ORT_LIB_DIR</c>
/// pointing at nothing: every fast test must still pass, none skipped (see README, "Testing").
/// </remarks>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false)]
public sealed class FastAttribute : Attribute, ITraitAttribute
{
    /// <summary>The trait name.</summary>
    public const string Trait = "Speed";

    /// <summary>The trait value.</summary>
    public const string Value = "Fast";

    /// <inheritdoc />
    public IReadOnlyCollection<KeyValuePair<string, string>> GetTraits() => [new(Trait, Value)];
}
