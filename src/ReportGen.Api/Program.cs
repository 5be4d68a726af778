using ReportGen.Api;

await using var app = ReportGenApp.Build(args);
await app.RunAsync();

/// <summary>Entry point type, visible to WebApplicationFactory.</summary>
public partial class Program;
