using System.Text;

namespace ReportGen.Eval.Bench;

/// <summary>Reads the key/value section of a GGUF file far enough to copy its tokenizer metadata verbatim.</summary>
internal static class GgufKv
{
    /// <summary>The donor's <c>tokenizer.*</c> entries as raw bytes (key, type, value) and the vocabulary size.</summary>
    internal sealed record Tokenizer(IReadOnlyList<byte[]> RawEntries, int VocabSize);

    public static Tokenizer ReadTokenizer(string path)
    {
        using var stream = File.OpenRead(path);
        using var r = new BinaryReader(stream, Encoding.UTF8);
        var kvCount = ReadHeader(r, path);
        var raw = new List<byte[]>();
        var vocab = 0;
        for (ulong i = 0; i < kvCount; i++)
        {
            var start = stream.Position;
            var key = ReadString(r);
            var type = r.ReadUInt32();
            if (key == "tokenizer.ggml.tokens" && type == 9)
            {
                var pos = stream.Position;
                r.ReadUInt32();
                vocab = checked((int)r.ReadUInt64());
                stream.Position = pos;
            }
            SkipValue(r, type);
            if (!key.StartsWith("tokenizer.", StringComparison.Ordinal)) continue;
            var end = stream.Position;
            var bytes = new byte[end - start];
            stream.Position = start;
            stream.ReadExactly(bytes);
            raw.Add(bytes);
        }
        if (vocab == 0) throw new InvalidDataException($"{path} has no tokenizer.ggml.tokens array");
        return new Tokenizer(raw, vocab);
    }

    /// <summary>True when the GGUF's key/value section has <paramref name="key"/> (e.g. <c>tokenizer.chat_template</c>).</summary>
    public static bool HasKey(string path, string key)
    {
        using var stream = File.OpenRead(path);
        using var r = new BinaryReader(stream, Encoding.UTF8);
        var kvCount = ReadHeader(r, path);
        for (ulong i = 0; i < kvCount; i++)
        {
            if (ReadString(r) == key) return true;
            SkipValue(r, r.ReadUInt32());
        }
        return false;
    }

    // Magic, version and tensor count; returns the number of key/value entries that follow.
    private static ulong ReadHeader(BinaryReader r, string path)
    {
        if (r.ReadUInt32() != 0x46554747) throw new InvalidDataException($"{path} is not a GGUF file (bad magic)");
        var version = r.ReadUInt32();
        if (version is < 2 or > 3) throw new InvalidDataException($"{path}: unsupported GGUF version {version}");
        r.ReadUInt64(); // tensor count
        return r.ReadUInt64();
    }

    private static string ReadString(BinaryReader r)
    {
        var n = checked((int)r.ReadUInt64());
        return Encoding.UTF8.GetString(r.ReadBytes(n));
    }

    private static void SkipValue(BinaryReader r, uint type)
    {
        switch (type)
        {
            case 0 or 1 or 7: r.BaseStream.Seek(1, SeekOrigin.Current); break; // u8, i8, bool
            case 2 or 3: r.BaseStream.Seek(2, SeekOrigin.Current); break;
            case 4 or 5 or 6: r.BaseStream.Seek(4, SeekOrigin.Current); break;
            case 10 or 11 or 12: r.BaseStream.Seek(8, SeekOrigin.Current); break;
            case 8: r.BaseStream.Seek(checked((long)r.ReadUInt64()), SeekOrigin.Current); break;
            case 9:
                var itemType = r.ReadUInt32();
                var count = r.ReadUInt64();
                for (ulong i = 0; i < count; i++) SkipValue(r, itemType);
                break;
            default: throw new InvalidDataException($"unknown GGUF value type {type}");
        }
    }
}
