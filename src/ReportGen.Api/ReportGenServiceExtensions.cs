using ReportGen.Api.Apis;

namespace ReportGen.Api;

/// <summary>The composition root: services and endpoints of the ReportGen API.</summary>
public static class ReportGenServiceExtensions
{
    /// <summary>Registers every ReportGen service.</summary>
    public static WebApplicationBuilder AddReportGen(this WebApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi();
        return builder;
    }

    /// <summary>Maps every ReportGen endpoint.</summary>
    public static WebApplication MapReportGenApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapOpenApi();
        app.MapHealthApi();
        return app;
    }
}
