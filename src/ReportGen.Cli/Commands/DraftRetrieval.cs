using ReportGen.Imaging;
using ReportGen.Onnx;
using ReportGen.Pipelines.Drafting;

namespace ReportGen.Cli.Commands;

/// <summary><c>--retrieve INDEX --k N</c>: the k stored studies most similar to the frontal image, by the set's encoder.</summary>
internal static class DraftRetrieval
{
    public static IReadOnlyList<RetrievedStudy> Retrieve(string indexPath, int k, VisionLanguageModelSet? set, DraftStudy study, string? saveIndex, TextWriter stderr)
    {
        if (set is null) throw new DraftInputException("retrieve", "--retrieve needs a vision-language model set (its encoder embeds the images)");
        if (study.Frontal.Decoded?.Pixels is not PixelImage frontal) throw new DraftInputException("retrieve", "--retrieve is for 2-D images (--modality cxr)");
        if (!File.Exists(indexPath)) throw new DraftInputException("retrieve", $"--retrieve: file not found: {indexPath}");
        StudyIndex index;
        try
        {
            // A saved index (.json) loads as is; a studies JSONL is embedded now (and not saved).
            index = indexPath.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase)
                ? StudyIndex.Build(indexPath, set.Encoder.Entry.Id, set.EncodePooled, set.Encoder.Entry.Sha256)
                : StudyIndex.Load(indexPath);
            index.CheckUsableWith(set.Encoder.Entry.Id, set.Encoder.Entry.Sha256, indexPath);
        }
        catch (InvalidDataException e)
        {
            throw new DraftInputException("retrieve", $"--retrieve: {e.Message}");
        }
        catch (ImageDecodeException e)
        {
            throw new DraftInputException("retrieve", $"--retrieve: a stored study's image cannot be decoded: {e.Message}");
        }
        if (saveIndex is not null) index.Save(saveIndex);
        stderr.WriteLine($"reportgen draft: retrieving {Math.Min(k, index.Count)} of {index.Count} stored studies");
        return index.Search(set.EncodePooled(frontal), k).Select(m => new RetrievedStudy(m.Study.Id, m.Similarity, m.Study.Findings)).ToArray();
    }
}
