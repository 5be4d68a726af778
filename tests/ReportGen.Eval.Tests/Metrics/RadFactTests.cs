using ReportGen.Eval.Metrics.Judging;
using ReportGen.Pipelines.Judging;
using ReportGen.TestSupport;

namespace ReportGen.Eval.Tests.Metrics;

// Reference: microsoft/RadFact src/radfact/metric/{radfact.py,schema.py,box_metrics.py} and its tests
// tests/metric/test_radfact.py and tests/metric/test_box_metrics.py; the expected numbers below are theirs.
public sealed class RadFactTests
{
    [Fact]
    public void End_to_end_scores_match_test_nli_processing_with_endpoint()
    {
        // candidate: cat [box], dog [2 boxes], bird, rabbit; reference: cat [box], dog [box], bird [box], shark.
        // NLI: cat, dog, bird entailed both ways; rabbit and shark not.
        var cat = new NormalizedBox(0.1, 0.1, 0.2, 0.2);
        var dog = new NormalizedBox(0.3, 0.3, 0.4, 0.4);
        var other = new NormalizedBox(0.5, 0.5, 0.6, 0.6);
        EvidencedPhrase[] candidate =
        [
            new("The cat", "entailment", [cat], [new("The cat", [cat])]),
            new("The dog", "entailment", [dog, other], [new("The dog", [dog])]),
            new("The bird", "entailment", null, [new("The bird", [other])]),
            new("The rabbit", "not_entailment", null, []),
        ];
        EvidencedPhrase[] reference =
        [
            new("The cat", "entailment", [cat], [new("The cat", [cat])]),
            new("The dog", "entailment", [dog], [new("The dog", [dog, other])]),
            new("The bird", "entailment", [other], [new("The bird")]),
            new("The shark", "not_entailment", null, []),
        ];
        var aggregate = RadFact.Aggregate([new RadFactSample("study1", candidate, reference)]);
        var d = aggregate.ToDictionary();
        d["logical_precision"].ShouldBe(0.75);
        d["logical_recall"].ShouldBe(0.75);
        d["spatial_precision"].ShouldBe(0.5);
        d["spatial_recall"].ShouldBe(0.6666666666666666, 1e-15);
        d["grounding_precision"].ShouldBe(0.5);
        d["grounding_recall"].ShouldBe(0.6666666666666666, 1e-15);
        d["num_candidate_phrases"].ShouldBe(4);
        d["num_reference_phrases"].ShouldBe(4);
        d["num_candidate_phrases_with_boxes"].ShouldBe(2);
        d["num_reference_phrases_with_boxes"].ShouldBe(3);
        d["logical_f1"].ShouldBe(0.75);
        d["spatial_f1"].ShouldBe(0.5714285714285715, 1e-15);
        d["grounding_f1"].ShouldBe(0.5714285714285715, 1e-15);
        d["num_samples"].ShouldBe(1);
        d["num_invalid_processed_samples"].ShouldBe(0);
    }

    [Fact]
    public void Failed_samples_are_counted_and_excluded_not_scored_as_zero()
    {
        EvidencedPhrase[] yes = [new("a", "entailment", null, [])];
        var aggregate = RadFact.Aggregate([new RadFactSample("ok", yes, yes), new RadFactSample("failed", null, null)]);
        aggregate.NumSamples.ShouldBe(1);
        aggregate.NumInvalidSamples.ShouldBe(1);
        aggregate.Score.LogicalPrecision.ShouldBe(1.0);
    }

    [Fact]
    public void Metric_fidelity_on_the_radfact_test_examples()
    {
        // ../shared/data/radfact/test_examples.json (microsoft/RadFact examples/ @72463ac): 34 examples, A = candidate,
        // B = reference (run_radfact_test_examples.py). Expected values: RadFact's arithmetic (per-example entailed
        // fractions, nanmean over examples, F1 of the means) on the file's stored labels, computed with a python3
        // transliteration of radfact.py/schema.py on this machine: 72 entailment, 121 neutral, 56 contradiction labels.
        // Per example, e.g. example_1: 1 of 4 candidate phrases and 2 of 2 reference phrases entailed.
        // (run_radfact_test_examples.py's printed ranges — precision median .3554, recall .3211, F1 .3385 — are
        // bootstrap results of fresh Llama-3-70B labels, not of these stored labels, so they are not asserted.)
        var samples = RadFactExamples.Load(SharedData.Data("radfact", "test_examples.json"));
        samples.Count.ShouldBe(34);
        samples.ShouldAllBe(s => !s.IsInvalid);

        var one = RadFactScoring.Score(samples[1].CandidatePhrases!, samples[1].ReferencePhrases!);
        one.LogicalPrecision.ShouldBe(0.25);
        one.LogicalRecall.ShouldBe(1.0);

        var d = RadFact.Aggregate(samples, onlyFactualScores: true).ToDictionary();
        d["logical_precision"].ShouldBe(0.29901960784313725, 1e-12);
        d["logical_recall"].ShouldBe(0.2936274509803921, 1e-12);
        d["logical_f1"].ShouldBe(0.2962989993350525, 1e-12);
        d["num_candidate_phrases"].ShouldBe(3.5, 1e-12);
        d["num_reference_phrases"].ShouldBe(3.823529411764706, 1e-12);
        d["num_samples"].ShouldBe(34);
        d["spatial_f1"].ShouldBe(0);

        // The bootstrap median sits on the point estimate and the interval brackets it.
        var boot = RadFactBootstrap.Compute(samples, resamples: 200, seed: 42);
        boot["logical_f1"].Lower.ShouldBeLessThan(d["logical_f1"]);
        boot["logical_f1"].Upper.ShouldBeGreaterThan(d["logical_f1"]);
        boot["logical_f1"].Median.ShouldBe(d["logical_f1"], 0.03);
    }

    [Fact]
    public void A_malformed_judgement_is_an_invalid_sample_and_a_malformed_file_a_clear_error()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "examples.json");
        File.WriteAllText(path, """
            [{"example_id": "ok", "input": {"phrases_A": ["a"], "phrases_B": ["b"]},
              "output": {"phrases_A_evidenced": [{"phrase": "a", "status": "entailment", "evidence": ["b"]}],
                         "phrases_B_evidenced": [{"phrase": "b", "status": "neutral", "evidence": []}]}},
             {"example_id": "bad", "input": {"phrases_A": ["a"], "phrases_B": ["b"]},
              "output": {"phrases_A_evidenced": [{"phrase": "a", "status": 3}], "phrases_B_evidenced": []}}]
            """);
        var samples = RadFactExamples.Load(path);
        samples[0].IsInvalid.ShouldBeFalse();
        samples[1].IsInvalid.ShouldBeTrue();
        RadFact.Aggregate(samples).NumInvalidSamples.ShouldBe(1);

        File.WriteAllText(path, "[1, 2]");
        Should.Throw<InvalidDataException>(() => RadFactExamples.Load(path)).Message.ShouldContain("not a JSON object");
    }
}
