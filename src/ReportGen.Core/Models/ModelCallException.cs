namespace ReportGen.Core.Models;

/// <summary>
/// A model call was made and could not be answered: the model server is unreachable or answered an error, or the
/// runtime failed while generating. Unlike <see cref="ModelInputException"/> the input is not at fault, and unlike a
/// full queue nothing says "retry": an evaluation run counts such a call as failed and goes on; the API maps it once
/// (<c>ModelProblemMapper</c>). Engines that talk to other servers derive their typed failures from this class.
/// </summary>
public class ModelCallException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ModelCallException(string message, Exception? innerException = null) : base(message, innerException) { }

    /// <summary>
    /// Whether <paramref name="exception"/> is a failed model call that a pipeline may turn into a "failed" result:
    /// this type, or the transport errors a remote chat server gives (<see cref="System.Net.Http.HttpRequestException"/>,
    /// <see cref="IOException"/>, an unreadable answer). Admission (a full queue, a model still loading), input the model
    /// refuses and cancellation are not: they go to the caller.
    /// </summary>
    public static bool IsCallFailure(Exception exception) =>
        exception is ModelCallException call ? call.IsFailedCall
            : exception is System.Net.Http.HttpRequestException or IOException or InvalidDataException;

    /// <summary>
    /// False for a failure the caller must hear rather than a "failed" result: a remote engine that is busy (retry) or
    /// that refused the input (too long for its context).
    /// </summary>
    public virtual bool IsFailedCall => true;
}
