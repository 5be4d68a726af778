using ReportGen.Api.Problems;
using ReportGen.Core.Imaging;
using ReportGen.Core.Text;
using ReportGen.Imaging;
using ReportGen.Pipelines.Classification;
using ReportGen.Pipelines.Drafting;
using ReportGen.Pipelines.Judging;

namespace ReportGen.Api.PipelineResults;

/// <summary>Maps the pipelines' and decoders' typed input errors to 4xx problems naming the field.</summary>
public sealed class PipelineProblemMapper : IExceptionProblemMapper
{
    /// <inheritdoc />
    public MappedProblem? TryMap(Exception exception) => exception switch
    {
        Apis.RequestFieldException r => new MappedProblem(r.Status, r.Status switch
            {
                StatusCodes.Status404NotFound => "Not found",
                StatusCodes.Status413PayloadTooLarge => "Request too large",
                StatusCodes.Status415UnsupportedMediaType => "Unsupported content type",
                _ => "Invalid request",
            }, r.Message, r.Field, r.Code),
        DraftInputException d => new MappedProblem(d.Problem switch
            {
                InputProblem.TooLarge => StatusCodes.Status413PayloadTooLarge,
                InputProblem.Unsupported => StatusCodes.Status415UnsupportedMediaType,
                _ => StatusCodes.Status400BadRequest,
            }, "Invalid request", d.Message, d.Field, d.Code),
        JudgeInputException j => new MappedProblem(StatusCodes.Status400BadRequest, "Invalid request", j.Message, j.Field, null),
        ReportTextException t => new MappedProblem(
            t.Problem == ReportTextProblem.TooLarge ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest,
            "Invalid report text", t.Message, t.Field, t.Code),
        ClassificationException c => new MappedProblem(StatusCodes.Status400BadRequest, "Invalid classification request", c.Message, FieldOf(c.Code), c.CodeName),
        ImageDecodeException i => new MappedProblem(
            i.Code is "too_large" ? StatusCodes.Status413PayloadTooLarge : i.Code is "unsupported_transfer_syntax" or "unsupported" ? StatusCodes.Status415UnsupportedMediaType : StatusCodes.Status400BadRequest,
            "Invalid image", i.Message, "image", i.Code),
        _ => null,
    };

    private static string FieldOf(ClassificationErrorCode code) => code switch
    {
        ClassificationErrorCode.UnknownTaxonomy or ClassificationErrorCode.InvalidTaxonomy => "taxonomy",
        ClassificationErrorCode.DuplicateLabels or ClassificationErrorCode.EmptyLabels => "labels",
        _ => "engine",
    };
}
