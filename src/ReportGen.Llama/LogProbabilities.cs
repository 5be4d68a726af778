using System.Numerics.Tensors;

namespace ReportGen.Llama;

/// <summary>Log-probabilities from raw logits (log-softmax computed stably: the maximum is subtracted before exponentiating).</summary>
public static class LogProbabilities
{
    /// <summary><c>log(sum(exp(logits)))</c>, stable for large logits.</summary>
    /// <param name="logits">The logits of one position.</param>
    /// <param name="scratch">A buffer at least as long as <paramref name="logits"/> (avoids an allocation per position).</param>
    public static double LogSumExp(ReadOnlySpan<float> logits, Span<float> scratch)
    {
        if (logits.IsEmpty) throw new ArgumentException("no logits", nameof(logits));
        if (scratch.Length < logits.Length) throw new ArgumentException("scratch is shorter than the logits", nameof(scratch));
        var max = TensorPrimitives.Max(logits);
        var shifted = scratch[..logits.Length];
        TensorPrimitives.Subtract(logits, max, shifted);
        TensorPrimitives.Exp(shifted, shifted);
        // Each term is in (0, 1] and one of them is 1, so the sum cannot overflow or vanish.
        return max + Math.Log(TensorPrimitives.Sum<float>(shifted));
    }

    /// <summary>The log-probability of <paramref name="token"/> under the softmax of <paramref name="logits"/>.</summary>
    public static double Of(ReadOnlySpan<float> logits, int token, Span<float> scratch)
    {
        if ((uint)token >= (uint)logits.Length) throw new ArgumentOutOfRangeException(nameof(token));
        return logits[token] - LogSumExp(logits, scratch);
    }
}
