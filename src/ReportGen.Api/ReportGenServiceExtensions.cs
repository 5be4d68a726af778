using ReportGen.Core.Completion;
using System.Diagnostics.Metrics;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using ReportGen.Api.Apis;
using ReportGen.Api.Hosting;
using Microsoft.Extensions.AI;
using ReportGen.Api.Jobs;
using ReportGen.Api.PipelineResults;
using ReportGen.Imaging;
using ReportGen.Llama;
using ReportGen.Pipelines.Classification;
using ReportGen.Pipelines.Drafting;
using ReportGen.Pipelines.Judging;
using ReportGen.Pipelines.Prompts;
using ReportGen.Pipelines.Structuring;
using ReportGen.Api.Problems;
using ReportGen.Api.Security;
using ReportGen.Api.Telemetry;
using ReportGen.Core.Models;

namespace ReportGen.Api;

/// <summary>The composition root: services and endpoints of the ReportGen API.</summary>
public static class ReportGenServiceExtensions
{
    /// <summary>Rate-limiting policy applied to every /v1 endpoint.</summary>
    public const string PerClientPolicy = "per-client";

    /// <summary>Registers every ReportGen service, one feature at a time.</summary>
    public static WebApplicationBuilder AddReportGen(this WebApplicationBuilder builder)
    {
        builder.AddApiOptions();
        builder.AddProblemResponses();
        builder.AddTelemetry();
        builder.AddRequestLimits();
        builder.AddModelManifest();
        builder.AddHostedLlm();
        builder.AddReportPipelines();
        builder.AddBatchJobs();
        builder.Services.AddCompletion(builder.Configuration);
        return builder;
    }

    // ReportGen:* settings, validated at start (a bad key or limit fails the boot, not the first request).
    private static void AddApiOptions(this WebApplicationBuilder builder)
    {
        var isDevelopment = builder.Environment.IsDevelopment();
        builder.Services.AddOptions<ReportGenApiOptions>()
            .BindConfiguration(ReportGenApiOptions.Section)
            .Configure(o => o.IsDevelopment = isDevelopment)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ReportGenApiOptions>, ApiOptionsValidator>();
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new CheckedJsonElementConverter()));
        builder.Services.AddOpenApi(o => o.AddSchemaTransformer(Apis.JudgeApi.DescribeRequest).AddSchemaTransformer(Apis.ReportsApi.DescribeRelations).AddDocumentTransformer(OpenApiSecurity.DescribeAsync)
            .AddDocumentTransformer(Problems.OpenApiResponses.DescribeAsync));
    }

    // Every failure is an RFC 7807 problem naming the field at fault.
    private static void AddProblemResponses(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        // Registered first so it is asked first: the OpenAI-compatible routes answer in OpenAI's error shape.
        services.AddSingleton<IProblemDetailsWriter, OpenAiErrorWriter>();
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
        {
            // Problems the framework writes itself (status code pages) still name the field at fault.
            if (ctx.ProblemDetails.Extensions.ContainsKey("field")) return;
            var field = ctx.ProblemDetails.Status switch
            {
                StatusCodes.Status415UnsupportedMediaType => "Content-Type",
                StatusCodes.Status413PayloadTooLarge => "body",
                StatusCodes.Status405MethodNotAllowed => "method",
                StatusCodes.Status404NotFound => "path",
                _ => null,
            };
            if (field is not null) ctx.ProblemDetails.Extensions["field"] = field;
        });
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.AddSingleton<IExceptionProblemMapper, PipelineProblemMapper>();
        services.AddSingleton<IExceptionProblemMapper, ModelProblemMapper>();
        services.AddSingleton<HostedModels>();
    }

    // Logs (JSON, never a request body) and the meters /metrics exports.
    private static void AddTelemetry(this WebApplicationBuilder builder)
    {
        // Logs never carry request bodies (patient data): no HTTP body logging is registered, and the
        // console formatter is JSON so fields stay fields.
        builder.Logging.AddJsonConsole(o => o.IncludeScopes = false);
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<ReportGenMetrics>();
        // ReportGen* covers the service's meter and the pipelines' (PipelineFailures); then the host's and the runtime's own
        // (GC heap, working set, thread pool: what shows a leak under load).
        builder.Services.AddSingleton(sp => new PrometheusExporter(sp.GetRequiredService<IMeterFactory>(), ReportGenMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Runtime"));
    }

    // Body size, request deadline, browser origins and the per-key rate limit.
    private static void AddRequestLimits(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var limits = builder.Configuration.GetSection(ReportGenApiOptions.Section).Get<ReportGenApiOptions>() ?? new ReportGenApiOptions();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = limits.MaxRequestBytes;
            k.Limits.MaxRequestLineSize = RequestTargetLimit.KestrelRequestLineLimit; // RequestTargetLimit answers 414 with a problem
        });
        services.Configure<Microsoft.AspNetCore.Http.Features.FormOptions>(o => o.MultipartBodyLengthLimit = limits.MaxRequestBytes);
        services.AddRequestTimeouts(o =>
        {
            o.DefaultPolicy = new RequestTimeoutPolicy
            {
                Timeout = TimeSpan.FromSeconds(limits.RequestTimeoutSeconds),
                TimeoutStatusCode = StatusCodes.Status504GatewayTimeout,
            };
        });
        services.AddCors(o => o.AddDefaultPolicy(p => p
            .WithOrigins([.. limits.CorsOrigins])
            .WithMethods("GET", "POST")
            .WithHeaders("Content-Type", "X-Api-Key", "Authorization", "Accept")));
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(PerClientPolicy, PerClientBucket);
            o.OnRejected = RejectAsync;
        });
    }

    private static RateLimitPartition<string> PerClientBucket(HttpContext context)
    {
        var client = context.Items[ApiKeyAuthentication.ClientNameItem] as string ?? "unknown";
        var perMinute = context.RequestServices.GetRequiredService<IOptions<ReportGenApiOptions>>().Value.RateLimitPerMinute;
        return RateLimitPartition.GetTokenBucketLimiter(client, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = perMinute,
            TokensPerPeriod = perMinute,
            ReplenishmentPeriod = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    private static async ValueTask RejectAsync(OnRejectedContext ctx, CancellationToken cancellationToken)
    {
        ctx.HttpContext.RequestServices.GetRequiredService<ReportGenMetrics>().Rejected("rate_limited");
        var retry = ctx.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? (int)Math.Ceiling(after.TotalSeconds) : 60;
        ctx.HttpContext.Response.Headers.RetryAfter = retry.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await ProblemWriter.WriteAsync(ctx.HttpContext, StatusCodes.Status429TooManyRequests, "Rate limit exceeded",
            $"Too many requests for this API key; retry after {retry} s.", field: "X-Api-Key", code: "rate_limited");
    }

    // models/models.json and the folders model files are resolved from.
    private static void AddModelManifest(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(_ =>
        {
            var path = ModelManifest.DefaultPath() ?? throw new InvalidOperationException("models/models.json not found; set REPORTGEN_MANIFEST");
            return ModelManifest.Load(path);
        });
        builder.Services.AddSingleton(sp => ModelResolver.CreateDefault(sp.GetRequiredService<ModelManifest>()));
        builder.Services.AddSingleton<ServiceReadiness>();
        builder.Services.AddSingleton<ArrivalGauge>();
    }

    // One model (local GGUF, a vision-language set or a remote server), loaded once at start-up and shared by every pipeline.
    private static void AddHostedLlm(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<LlmOptions>().BindConfiguration(LlmOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var llm = builder.Configuration.GetSection(LlmOptions.Section).Get<LlmOptions>();
        if (string.IsNullOrWhiteSpace(llm?.Model) && string.IsNullOrWhiteSpace(llm?.RemoteUrl) && string.IsNullOrWhiteSpace(llm?.ModelSet)) return;
        services.AddSingleton<LlmHost>();
        services.AddHostedService(sp => sp.GetRequiredService<LlmHost>());
        services.AddSingleton<IChatClient, HostedChatClient>();
        if (!string.IsNullOrWhiteSpace(llm?.RemoteUrl)) return;
        // Auto-completion re-ranking shares the loaded model (a remote chat server cannot score log-probabilities).
        services.AddSingleton<HostedCompletionModel>();
        services.AddSingleton<ISequenceScorer>(sp => sp.GetRequiredService<HostedCompletionModel>());
        services.AddSingleton<IContinuationGenerator>(sp => sp.GetRequiredService<HostedCompletionModel>());
    }

    // The pipelines and their front doors; results name the prompt file and its hash in their provenance.
    private static void AddReportPipelines(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton(_ => PromptLibrary.LoadDefault());
        services.AddSingleton(sp => new StructuringService(sp.GetService<IChatClient>(), sp.GetRequiredService<PromptLibrary>()));
        services.AddSingleton(_ => TaxonomyLibrary.LoadDefault());
        services.AddSingleton(sp => new ClassificationService(sp.GetRequiredService<TaxonomyLibrary>(), sp.GetService<IChatClient>(), sp.GetRequiredService<PromptLibrary>()));
        services.AddSingleton(sp => new RulesJudge(sp.GetRequiredService<TaxonomyLibrary>().Get("chexpert14")));
        // The draft front door: decodes each image once, within the per-image limit.
        services.AddSingleton(sp => new DraftStudyBuilder(new StudyImageDecoder(), sp.GetRequiredService<IOptions<ReportGenApiOptions>>().Value.MaxImageBytes));
    }

    // Journalled batch jobs over the pipelines.
    private static void AddBatchJobs(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<IJobOperation, SectionsJobOperation>();
        services.AddSingleton<IJobOperation, StructureJobOperation>();
        services.AddSingleton<IJobOperation, ClassifyJobOperation>();
        services.AddSingleton<JobStore>();
        services.AddHostedService<JobRunner>();
    }

    /// <summary>Maps every ReportGen endpoint, behind the middleware every request passes.</summary>
    public static WebApplication MapReportGenApi(this WebApplication app)
    {
        // Listen before the first request so no measurement is lost.
        app.Services.GetRequiredService<PrometheusExporter>();
        var jobs = app.Services.GetRequiredService<JobStore>();
        app.Services.GetRequiredService<ReportGenMetrics>().JobsUnfinished = () => jobs.Unfinished;
        // First, so a request counts from its arrival (the LLM scheduler's admission wait reads the count).
        app.UseMiddleware<ArrivalCounting>();
        app.UseMiddleware<SecurityHeaders>();
        app.UseMiddleware<RequestTargetLimit>();
        app.UseMiddleware<RequestMetrics>();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseCors();
        app.UseMiddleware<ApiKeyAuthentication>();
        app.UseMiddleware<JsonCharsetCheck>();
        app.UseRateLimiter();
        app.UseRequestTimeouts();

        app.MapOpenApi();
        app.MapHealthApi();
        app.MapMetricsApi();
        app.MapEditorApi();
        var v1 = app.MapGroup("/v1").RequireRateLimiting(PerClientPolicy);
        v1.MapModelsApi();
        v1.MapJobsApi();
        v1.MapReportsApi();
        v1.MapJudgeApi();
        v1.MapDraftApi();
        v1.MapChatCompletionsApi();
        v1.MapCompletionApi();
        return app;
    }

    private sealed class ApiOptionsValidator : IValidateOptions<ReportGenApiOptions>
    {
        public ValidateOptionsResult Validate(string? name, ReportGenApiOptions options)
        {
            var errors = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).Select(r => r.ErrorMessage ?? "invalid").ToList();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
