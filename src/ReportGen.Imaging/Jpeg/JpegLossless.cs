namespace ReportGen.Imaging.Jpeg;

/// <summary>
/// The predictors of lossless JPEG (T.81 Table H.1), undone a row at a time. Ra = left, Rb = above, Rc = above-left;
/// every reconstruction is modulo 2^16 as the standard says. The predictor switch sits outside the column loop.
/// </summary>
internal static class JpegLossless
{
    /// <summary>The first row of the image or of a restart interval: the initial value, then the left neighbour.</summary>
    public static void UndifferenceFirstRow(ReadOnlySpan<int> diff, Span<int> cur, int initial)
    {
        int ra = (diff[0] + initial) & 0xFFFF;
        cur[0] = ra;
        for (int x = 1; x < cur.Length; x++)
        {
            ra = (diff[x] + ra) & 0xFFFF;
            cur[x] = ra;
        }
    }

    /// <summary>Any later row: the first column predicts from above, the rest with predictor <paramref name="psv"/> (1–7).</summary>
    public static void Undifference(ReadOnlySpan<int> diff, Span<int> cur, ReadOnlySpan<int> prev, int psv)
    {
        int w = cur.Length;
        if (diff.Length < w || prev.Length < w) throw new ArgumentException("row lengths differ");
        cur[0] = (diff[0] + prev[0]) & 0xFFFF;
        switch (psv)
        {
            case 1:
                for (int x = 1; x < w; x++) cur[x] = (diff[x] + cur[x - 1]) & 0xFFFF;
                break;
            case 2:
                for (int x = 1; x < w; x++) cur[x] = (diff[x] + prev[x]) & 0xFFFF;
                break;
            case 3:
                for (int x = 1; x < w; x++) cur[x] = (diff[x] + prev[x - 1]) & 0xFFFF;
                break;
            case 4:
                for (int x = 1; x < w; x++) cur[x] = (diff[x] + cur[x - 1] + prev[x] - prev[x - 1]) & 0xFFFF;
                break;
            case 5:
                for (int x = 1; x < w; x++) cur[x] = (diff[x] + cur[x - 1] + ((prev[x] - prev[x - 1]) >> 1)) & 0xFFFF;
                break;
            case 6:
                for (int x = 1; x < w; x++) cur[x] = (diff[x] + prev[x] + ((cur[x - 1] - prev[x - 1]) >> 1)) & 0xFFFF;
                break;
            default:
                for (int x = 1; x < w; x++) cur[x] = (diff[x] + ((cur[x - 1] + prev[x]) >> 1)) & 0xFFFF;
                break;
        }
    }
}
