using System.IO.Compression;
using ReportGen.Imaging.Dicom;

namespace ReportGen.Imaging.Ct;

/// <summary>
/// Builds a <see cref="CtVolume"/> from the DICOM files of one CT series (paths, byte arrays, or a zip):
/// slices sorted by Image Position (Patient) projected on the slice normal, size and orientation checked,
/// stored values converted to Hounsfield units with each slice's own Rescale Slope/Intercept.
/// </summary>
public static class CtSeriesReader
{
    private const double OrientationTolerance = 1e-3;

    /// <summary>Reads the series from files on disk.</summary>
    public static CtVolume ReadFiles(IEnumerable<string> paths, ImageDecodeOptions? options = null)
    {
        options ??= ImageDecodeOptions.Default;
        var list = paths.ToList();
        if (list.Count > options.MaxSeriesFiles) throw Fail.TooLarge($"CT series of {list.Count} files exceeds MaxSeriesFiles {options.MaxSeriesFiles}");
        var files = new List<byte[]>(list.Count);
        foreach (var p in list)
        {
            var info = new FileInfo(p);
            if (info.Length > options.MaxInputBytes) throw Fail.TooLarge($"a series file of {info.Length} bytes exceeds MaxInputBytes {options.MaxInputBytes}");
            files.Add(File.ReadAllBytes(p));
        }
        return Read(files, options);
    }

    /// <summary>Reads the series from a zip archive of DICOM files (entries that are not DICOM, or hold no pixel data, are ignored).</summary>
    public static CtVolume ReadZip(ReadOnlySpan<byte> zip, ImageDecodeOptions? options = null)
    {
        options ??= ImageDecodeOptions.Default;
        if (zip.Length > options.MaxInputBytes) throw Fail.TooLarge($"zip of {zip.Length} bytes exceeds MaxInputBytes {options.MaxInputBytes}");
        return Read(ExtractZip(zip.ToArray(), options), options);
    }

    /// <summary>Reads the series from a stream holding a zip.</summary>
    public static CtVolume ReadZip(Stream zip, ImageDecodeOptions? options = null)
    {
        options ??= ImageDecodeOptions.Default;
        return ReadZip(ImageDecoder.ReadAll(zip, options), options);
    }

    internal static List<byte[]> ExtractZip(byte[] zip, ImageDecodeOptions options)
    {
        var files = new List<byte[]>();
        long inflatedTotal = 0;
        try
        {
            using var archive = new ZipArchive(new MemoryStream(zip, writable: false), ZipArchiveMode.Read);
            if (archive.Entries.Count > options.MaxSeriesFiles)
                throw Fail.TooLarge($"zip of {archive.Entries.Count} entries exceeds MaxSeriesFiles {options.MaxSeriesFiles}");
            foreach (var entry in archive.Entries)
            {
                if (entry.FullName.EndsWith('/') || entry.Length == 0) continue;
                if (entry.Length > options.MaxInputBytes)
                    throw Fail.TooLarge($"zip entry of {entry.Length} bytes exceeds MaxInputBytes {options.MaxInputBytes}");
                if (entry.CompressedLength > 0 && (double)entry.Length / entry.CompressedLength > options.MaxCompressionRatio)
                    throw Fail.Bomb($"zip entry inflates {entry.Length / entry.CompressedLength}:1 (limit {options.MaxCompressionRatio}:1)");
                // Never trust the declared size: read at most that many bytes plus one.
                long limit = Math.Min(entry.Length, (long)(Math.Max(entry.CompressedLength, 1) * options.MaxCompressionRatio));
                var buf = new byte[limit];
                using var s = entry.Open();
                int got = 0, n;
                while (got < buf.Length && (n = s.Read(buf, got, buf.Length - got)) > 0) got += n;
                if (s.ReadByte() >= 0) throw Fail.Bomb("zip entry inflates beyond its declared size");
                if (got < buf.Length) throw Fail.Truncated("zip entry shorter than its declared size");
                inflatedTotal += got;
                if (inflatedTotal > options.MaxInflatedBytes)
                    throw Fail.Bomb($"zip inflates past MaxInflatedBytes {options.MaxInflatedBytes}");
                if (DicomFile.LooksLikeDicom(buf)) files.Add(buf);
            }
        }
        catch (InvalidDataException e)
        {
            throw new ImageDecodeException(ImageDecodeErrorCodes.Corrupt, "corrupt data: the zip archive is invalid", e);
        }
        catch (NotSupportedException e)
        {
            throw new ImageDecodeException(ImageDecodeErrorCodes.Unsupported, "unsupported: zip compression method or encryption", e);
        }
        if (files.Count == 0) throw Fail.Corrupt("the zip holds no DICOM files");
        return files;
    }

    /// <summary>Reads the series from DICOM files already in memory.</summary>
    /// <exception cref="ImageDecodeException">A bad file, or slices that do not form one volume (<c>inconsistent_series</c>).</exception>
    public static CtVolume Read(IReadOnlyList<byte[]> files, ImageDecodeOptions? options = null)
    {
        options ??= ImageDecodeOptions.Default;
        if (files.Count == 0) throw new ImageDecodeException(ImageDecodeErrorCodes.InconsistentSeries, "inconsistent series: no files");
        if (files.Count > options.MaxSeriesFiles) throw Fail.TooLarge($"CT series of {files.Count} files exceeds MaxSeriesFiles {options.MaxSeriesFiles}");
        var all = new DicomFile[files.Count];
        BoundedParallel.For(files.Count, i => all[i] = DicomFile.Parse(files[i], options));
        var parsed = all.Where(d => d.HasPixelData).ToList(); // DICOMDIR, SR and other non-image objects are skipped
        if (parsed.Count == 0) throw Inconsistent("no image slices");
        var first = parsed[0];
        int w = first.Columns, h = first.Rows;
        if ((long)w * h * parsed.Count > options.MaxPixels)
            throw Fail.TooLarge($"CT series {w}x{h}x{parsed.Count} exceeds MaxPixels {options.MaxPixels}");
        var seriesUid = first.SeriesInstanceUid;
        var orientation = first.ImageOrientationPatient;
        foreach (var d in parsed)
        {
            if (d.Columns != w || d.Rows != h) throw Inconsistent($"slice sizes differ ({w}x{h} and {d.Columns}x{d.Rows})");
            if (d.NumberOfFrames != 1) throw Inconsistent("a multi-frame file in a slice series");
            if (d.SamplesPerPixel != 1) throw Inconsistent("a colour image in a CT series");
            if (seriesUid is not null && d.SeriesInstanceUid is not null && d.SeriesInstanceUid != seriesUid)
                throw Inconsistent("files from more than one series (Series Instance UID differs)");
            var o = d.ImageOrientationPatient;
            if ((orientation is null) != (o is null)) throw Inconsistent("Image Orientation (Patient) present on some slices only");
            if (orientation is not null && o is not null && orientation.Zip(o).Any(p => Math.Abs(p.First - p.Second) > OrientationTolerance))
                throw Inconsistent("slice orientations differ");
        }

        double[] keys;
        if (orientation is not null && parsed.All(d => d.ImagePositionPatient is not null))
        {
            var normal = Cross(orientation.AsSpan(0, 3), orientation.AsSpan(3, 3));
            if (Math.Sqrt(normal[0] * normal[0] + normal[1] * normal[1] + normal[2] * normal[2]) < 0.5)
                throw Inconsistent("Image Orientation (Patient) row and column directions are not orthogonal unit vectors");
            keys = parsed.Select(d => Dot(d.ImagePositionPatient!, normal)).ToArray();
        }
        else if (parsed.All(d => d.InstanceNumber is not null))
        {
            // Without positions, Instance Number is the only order we have; spacing then comes from Slice Thickness.
            double step = first.SliceThickness ?? 1;
            keys = parsed.Select(d => d.InstanceNumber!.Value * step).ToArray();
        }
        else
        {
            throw Inconsistent("slices lack Image Position/Orientation (Patient) and Instance Number, so they cannot be ordered");
        }
        var order = Enumerable.Range(0, parsed.Count).OrderBy(i => keys[i]).ToArray();
        for (int i = 1; i < order.Length; i++)
        {
            if (Math.Abs(keys[order[i]] - keys[order[i - 1]]) < 1e-4)
                throw Inconsistent($"two slices at the same position ({keys[order[i]]:0.###} mm)");
        }

        int plane = w * h;
        var hu = new float[(long)plane * parsed.Count];
        var positions = new double[parsed.Count];
        BoundedParallel.For(order.Length, z =>
        {
            parsed[order[z]].ReadModalityValues(0).CopyTo(hu.AsSpan(z * plane, plane));
            positions[z] = keys[order[z]];
        });
        var meta = parsed[order[0]].Metadata with { NumberOfFrames = parsed.Count };
        return new CtVolume(w, h, parsed.Count, hu, positions, meta);
    }

    private static ImageDecodeException Inconsistent(string what) =>
        new(ImageDecodeErrorCodes.InconsistentSeries, $"inconsistent series: {what}");

    private static double[] Cross(ReadOnlySpan<double> a, ReadOnlySpan<double> b) =>
        [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];

    private static double Dot(double[] a, double[] b) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}
