namespace ReportGen.Imaging.Dicom;

/// <summary>Names of the attributes whose values we parse, so an error can say which one is bad.</summary>
internal static class DicomTags
{
    private static readonly Dictionary<uint, string> Names = new()
    {
        [0x00280008] = "Number of Frames",
        [0x00280030] = "Pixel Spacing",
        [0x00181164] = "Imager Pixel Spacing",
        [0x00200032] = "Image Position (Patient)",
        [0x00200037] = "Image Orientation (Patient)",
        [0x00180050] = "Slice Thickness",
        [0x00200013] = "Instance Number",
        [0x00281050] = "Window Center",
        [0x00281051] = "Window Width",
        [0x00281052] = "Rescale Intercept",
        [0x00281053] = "Rescale Slope",
        [0x00283002] = "LUT Descriptor",
        [0x00283006] = "LUT Data",
    };

    public static string NameOf(ushort group, ushort element) => Names.TryGetValue((uint)group << 16 | element, out var n) ? n : "attribute";
}

/// <summary>Names of the common SOP classes (PS3.4 Annex B), so a non-image object can be named to a user.</summary>
public static class DicomSopClass
{
    private static readonly Dictionary<string, string> Names = new(StringComparer.Ordinal)
    {
        ["1.2.840.10008.1.3.10"] = "Media Storage Directory Storage (DICOMDIR)",
        ["1.2.840.10008.5.1.4.1.1.1"] = "Computed Radiography Image Storage",
        ["1.2.840.10008.5.1.4.1.1.1.1"] = "Digital X-Ray Image Storage - For Presentation",
        ["1.2.840.10008.5.1.4.1.1.1.1.1"] = "Digital X-Ray Image Storage - For Processing",
        ["1.2.840.10008.5.1.4.1.1.1.2"] = "Digital Mammography X-Ray Image Storage - For Presentation",
        ["1.2.840.10008.5.1.4.1.1.1.2.1"] = "Digital Mammography X-Ray Image Storage - For Processing",
        ["1.2.840.10008.5.1.4.1.1.2"] = "CT Image Storage",
        ["1.2.840.10008.5.1.4.1.1.2.1"] = "Enhanced CT Image Storage",
        ["1.2.840.10008.5.1.4.1.1.3.1"] = "Ultrasound Multi-frame Image Storage",
        ["1.2.840.10008.5.1.4.1.1.4"] = "MR Image Storage",
        ["1.2.840.10008.5.1.4.1.1.4.1"] = "Enhanced MR Image Storage",
        ["1.2.840.10008.5.1.4.1.1.6.1"] = "Ultrasound Image Storage",
        ["1.2.840.10008.5.1.4.1.1.7"] = "Secondary Capture Image Storage",
        ["1.2.840.10008.5.1.4.1.1.7.1"] = "Multi-frame Single Bit Secondary Capture Image Storage",
        ["1.2.840.10008.5.1.4.1.1.7.2"] = "Multi-frame Grayscale Byte Secondary Capture Image Storage",
        ["1.2.840.10008.5.1.4.1.1.7.3"] = "Multi-frame Grayscale Word Secondary Capture Image Storage",
        ["1.2.840.10008.5.1.4.1.1.7.4"] = "Multi-frame True Color Secondary Capture Image Storage",
        ["1.2.840.10008.5.1.4.1.1.9.1.1"] = "12-lead ECG Waveform Storage",
        ["1.2.840.10008.5.1.4.1.1.9.1.2"] = "General ECG Waveform Storage",
        ["1.2.840.10008.5.1.4.1.1.9.1.3"] = "Ambulatory ECG Waveform Storage",
        ["1.2.840.10008.5.1.4.1.1.9.2.1"] = "Hemodynamic Waveform Storage",
        ["1.2.840.10008.5.1.4.1.1.9.4.1"] = "Basic Voice Audio Waveform Storage",
        ["1.2.840.10008.5.1.4.1.1.11.1"] = "Grayscale Softcopy Presentation State Storage",
        ["1.2.840.10008.5.1.4.1.1.12.1"] = "X-Ray Angiographic Image Storage",
        ["1.2.840.10008.5.1.4.1.1.12.2"] = "X-Ray Radiofluoroscopic Image Storage",
        ["1.2.840.10008.5.1.4.1.1.20"] = "Nuclear Medicine Image Storage",
        ["1.2.840.10008.5.1.4.1.1.66"] = "Raw Data Storage",
        ["1.2.840.10008.5.1.4.1.1.66.1"] = "Spatial Registration Storage",
        ["1.2.840.10008.5.1.4.1.1.66.4"] = "Segmentation Storage",
        ["1.2.840.10008.5.1.4.1.1.77.1.4"] = "VL Photographic Image Storage",
        ["1.2.840.10008.5.1.4.1.1.88.11"] = "Basic Text SR Storage",
        ["1.2.840.10008.5.1.4.1.1.88.22"] = "Enhanced SR Storage",
        ["1.2.840.10008.5.1.4.1.1.88.33"] = "Comprehensive SR Storage",
        ["1.2.840.10008.5.1.4.1.1.88.50"] = "Mammography CAD SR Storage",
        ["1.2.840.10008.5.1.4.1.1.88.59"] = "Key Object Selection Document Storage",
        ["1.2.840.10008.5.1.4.1.1.88.67"] = "X-Ray Radiation Dose SR Storage",
        ["1.2.840.10008.5.1.4.1.1.104.1"] = "Encapsulated PDF Storage",
        ["1.2.840.10008.5.1.4.1.1.104.2"] = "Encapsulated CDA Storage",
        ["1.2.840.10008.5.1.4.1.1.128"] = "Positron Emission Tomography Image Storage",
        ["1.2.840.10008.5.1.4.1.1.481.1"] = "RT Image Storage",
        ["1.2.840.10008.5.1.4.1.1.481.2"] = "RT Dose Storage",
        ["1.2.840.10008.5.1.4.1.1.481.3"] = "RT Structure Set Storage",
        ["1.2.840.10008.5.1.4.1.1.481.4"] = "RT Beams Treatment Record Storage",
        ["1.2.840.10008.5.1.4.1.1.481.5"] = "RT Plan Storage",
        ["1.2.840.10008.5.1.4.1.1.481.8"] = "RT Ion Plan Storage",
    };

    /// <summary>A human name for a SOP Class UID, or null when we do not know it.</summary>
    public static string? NameOf(string? uid) => uid is not null && Names.TryGetValue(uid, out var n) ? n : null;

    /// <summary>"Name (UID)", or the bare UID when unnamed, or "an object without SOP Class UID".</summary>
    public static string Describe(string? uid) =>
        uid is null ? "an object without SOP Class UID" : NameOf(uid) is { } n ? $"{n} ({uid})" : uid;
}
