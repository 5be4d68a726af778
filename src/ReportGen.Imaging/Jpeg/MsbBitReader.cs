namespace ReportGen.Imaging.Jpeg;

/// <summary>
/// The bit buffer shared by the JPEG and JPEG-LS entropy decoders: bits left-aligned in 64 bits, read most significant
/// first. Subclasses refill it with their own byte-stuffing and marker rules.
/// </summary>
internal abstract class MsbBitReader
{
    /// <summary>Unread bits, left-aligned; the bits below <see cref="Bits"/> are zero.</summary>
    protected ulong Buffer;

    /// <summary>How many bits of <see cref="Buffer"/> are valid.</summary>
    protected int Bits;

    /// <summary>Adds whole bytes until more than 56 bits are buffered (or throws where the data cannot continue).</summary>
    protected abstract void Fill();

    /// <summary>The next <paramref name="n"/> bits (0–32) as an unsigned number.</summary>
    public int GetBits(int n)
    {
        if (n == 0) return 0;
        if (Bits < n) Fill();
        int v = (int)(Buffer >> (64 - n));
        Buffer <<= n;
        Bits -= n;
        return v;
    }

    /// <summary>Drops <paramref name="n"/> bits already looked at.</summary>
    protected void Skip(int n)
    {
        Buffer <<= n;
        Bits -= n;
    }

    public int GetBit() => GetBits(1);
}
