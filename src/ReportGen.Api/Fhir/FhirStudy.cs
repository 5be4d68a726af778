using System.Globalization;
using System.Text.RegularExpressions;
using ReportGen.Api.Apis;

namespace ReportGen.Api.Fhir;

/// <summary>
/// What the request may say about the study for the FHIR report: the patient (<c>DiagnosticReport.subject</c>) and
/// when the study was done (<c>effectiveDateTime</c>). Both optional; left out of the report when not given. Checked
/// once, here, for every endpoint that writes FHIR: a malformed value is a 400 naming the field.
/// </summary>
/// <param name="Subject">A relative FHIR reference to the subject: <c>Patient/ID</c> (or <c>Group</c>, <c>Device</c>, <c>Location</c>).</param>
/// <param name="Effective">A FHIR dateTime: a year, year-month, date, or a date-time with seconds and a time zone.</param>
public sealed partial record FhirStudy(string? Subject, string? Effective)
{
    /// <summary>The request field naming the subject.</summary>
    public const string SubjectField = "subject";

    /// <summary>The request field naming the study time.</summary>
    public const string EffectiveField = "effective";

    /// <summary>Checks both fields; null when neither is given.</summary>
    public static FhirStudy? Parse(string? subject, string? effective)
    {
        if (subject is null && effective is null) return null;
        if (subject is not null && !Reference().IsMatch(subject))
            throw new RequestFieldException(SubjectField, "subject must be a FHIR reference such as Patient/123 (Patient, Group, Device or Location; id of 1-64 letters, digits, '-' or '.')",
                StatusCodes.Status400BadRequest);
        if (effective is not null && !IsDateTime(effective))
            throw new RequestFieldException(EffectiveField, "effective must be a FHIR dateTime: 2024, 2024-05, 2024-05-17 or 2024-05-17T09:30:00+02:00 (seconds and a time zone)",
                StatusCodes.Status400BadRequest);
        return new FhirStudy(subject, effective);
    }

    // The FHIR R4 dateTime grammar, and then a real calendar date (no 2024-02-30).
    private static bool IsDateTime(string value)
    {
        if (!DateTimePattern().IsMatch(value)) return false;
        return value.Length < 10 || DateOnly.TryParseExact(value[..10], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);
    }

    [GeneratedRegex(@"^(Patient|Group|Device|Location)/[A-Za-z0-9\-\.]{1,64}$")]
    private static partial Regex Reference();

    [GeneratedRegex(@"^([0-9]{4})(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01])(T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00)))?)?)?$")]
    private static partial Regex DateTimePattern();
}
