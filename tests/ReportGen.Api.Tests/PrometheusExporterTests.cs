using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using ReportGen.Api.Telemetry;

namespace ReportGen.Api.Tests;

public class PrometheusExporterTests
{
    [Fact]
    public void Two_hosts_in_one_process_each_export_only_their_own_meters_and_the_process_wide_ones()
    {
        using var first = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var second = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var firstMeters = first.GetRequiredService<IMeterFactory>();
        var secondMeters = second.GetRequiredService<IMeterFactory>();
        using var firstExporter = new PrometheusExporter(firstMeters, "ExporterTest");
        using var secondExporter = new PrometheusExporter(secondMeters, "ExporterTest");

        // Same meter and instrument names in both hosts, as two ApiFactory hosts in one test process have.
        firstMeters.Create("ExporterTest").CreateObservableCounter("exporter_test_reused", () => 41L);
        secondMeters.Create("ExporterTest").CreateObservableCounter("exporter_test_reused", () => 0L);
        firstMeters.Create("ExporterTest").CreateCounter<long>("exporter_test_requests").Add(3);
        using var processWide = new Meter("ExporterTest.ProcessWide");
        processWide.CreateCounter<long>("exporter_test_process_wide").Add(1);

        var firstText = firstExporter.Scrape();
        var secondText = secondExporter.Scrape();
        firstText.ShouldContain("exporter_test_reused 41\n");
        secondText.ShouldContain("exporter_test_reused 0\n");
        firstText.ShouldContain("exporter_test_requests 3\n");
        secondText.ShouldNotContain("exporter_test_requests");
        firstText.ShouldContain("exporter_test_process_wide 1\n");
        secondText.ShouldContain("exporter_test_process_wide 1\n");
    }
}
