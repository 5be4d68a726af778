using System.Runtime.ExceptionServices;

namespace ReportGen.Imaging;

/// <summary>
/// Runs independent decodes (frames of a multi-frame file, slices of a series) on up to one thread per core, and lets
/// the first failure surface as itself (an <see cref="ImageDecodeException"/>), not wrapped in an AggregateException.
/// </summary>
internal static class BoundedParallel
{
    public static void For(int count, Action<int> body)
    {
        if (count <= 1 || Environment.ProcessorCount == 1)
        {
            for (int i = 0; i < count; i++) body(i);
            return;
        }
        try
        {
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, body);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // Prefer a typed decode error over whatever else failed alongside it.
            var first = e.InnerExceptions.FirstOrDefault(x => x is ImageDecodeException) ?? e.InnerExceptions[0];
            ExceptionDispatchInfo.Capture(first).Throw();
            throw;
        }
    }
}
