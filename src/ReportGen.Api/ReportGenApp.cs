using ReportGen.Api.Hosting;
using ReportGen.Llama;

namespace ReportGen.Api;

/// <summary>Builds the web application; shared by <c>dotnet run</c> on this project and <c>reportgen serve</c>.</summary>
public static class ReportGenApp
{
    /// <summary>Default binding when neither --urls nor configuration names one: loopback only.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5080";

    /// <summary>Creates the configured application.</summary>
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }
        builder.AddReportGen();
        // Every connection counts into the arrival gauge the LLM scheduler's admission wait reads (ArrivalCounting).
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(listen =>
            CountConnections.Use(listen, kestrel.ApplicationServices.GetRequiredService<ArrivalGauge>())));
        var app = builder.Build();
        // llama.cpp's and ONNX Runtime's own warnings go to the service's (JSON) log, not to stderr.
        NativeLogRouting.RouteTo(app.Services.GetRequiredService<ILoggerFactory>());
        app.MapReportGenApi();
        return app;
    }
}
