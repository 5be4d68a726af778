namespace ReportGen.Llama;

/// <summary>A llama.cpp call failed (load, context creation, decode). The message names the call and the reason.</summary>
public class LlamaException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LlamaException(string message) : base(message) { }

    /// <summary>Creates the exception with an inner cause.</summary>
    public LlamaException(string message, Exception inner) : base(message, inner) { }
}
