using ReportGen.Eval.Metrics.Text;
using ReportGen.TestSupport;

namespace ReportGen.Eval.Tests.Metrics;

// Reference: tylin/coco-caption pycocoevalcap (bleu/bleu_scorer.py with option="closest",
// rouge/rouge.py, cider/cider_scorer.py with the zero-norm guard of the py3 forks, tokenizer/ptbtokenizer.py).
// The Python package cannot be installed here (no PyPI), so the expected numbers are (1) derived by hand
// from those files' formulas, step by step in the comments, and (2) for the 3-report corpus, produced by
// a line-by-line python3 transliteration of those three scorer files run on this machine (not committed).
[Fast]
public sealed class BleuTests
{
    [Fact]
    public void Hand_computed_single_sentence_matches_pycocoevalcap_arithmetic()
    {
        // cand: the cat sat on the mat (6 words); refs: 6 and 7 words -> closest reflen 6, ratio 1, no penalty.
        // 1-grams: the x2 (ref max 2), cat, on, mat match, sat not -> 5/6
        // 2-grams: "the cat", "on the", "the mat" match of 5 -> 3/5
        // 3-grams: only "on the mat" of 4 -> 1/4;  4-grams: 0/3
        // BLEU-1 = (5+1e-15)/(6+1e-9); BLEU-2 = sqrt(5/6*3/5) = sqrt(.5); BLEU-3 = (.5*.25)^(1/3) = .5
        // BLEU-4 = (.125 * 1e-15/(3+1e-9))^(1/4) = 8.0343e-5 (the "tiny" constant keeps it non-zero)
        var result = Bleu.Compute([new CaptionExample("the cat sat on the mat", ["the cat is on the mat", "there is a cat on the mat"])]);

        result.TestLength.ShouldBe(6);
        result.ReferenceLength.ShouldBe(6);
        result.Scores[0].ShouldBe(0.8333333330555557, 1e-12);
        result.Scores[1].ShouldBe(0.7071067809390603, 1e-12);
        result.Scores[2].ShouldBe(0.49999999981388915, 1e-12);
        result.Scores[3].ShouldBe(8.034284186199331e-05, 1e-15);
    }

    [Fact]
    public void Corpus_bleu_sums_counts_and_applies_brevity_penalty_over_the_corpus()
    {
        // testlen 18, reflen 23 (item 3: closest of 7 and 4 words to 6 is 7); guess [18,15,12,9],
        // correct [16,8,4,2]; ratio 18/23 < 1 -> every BLEU-n times exp(1 - 23/18).
        var result = Bleu.Compute(ReportCorpus.Items);

        result.TestLength.ShouldBe(18);
        result.ReferenceLength.ShouldBe(23);
        result.Scores[0].ShouldBe(16.0 / 18 * Math.Exp(1 - 23.0 / 18), 1e-9);
        result.Scores[0].ShouldBe(0.6733023362780477, 1e-12);
        result.Scores[1].ShouldBe(0.5215377470705875, 1e-12);
        result.Scores[2].ShouldBe(0.409516081328149, 1e-12);
        result.Scores[3].ShouldBe(0.32789949899811976, 1e-12);
    }

    [Fact]
    public void Smoothed_sentence_bleu_ranks_partial_matches_and_penalises_short_candidates()
    {
        // Identical: every order (m+1)/(m+1) = 1, no penalty.
        Bleu.SmoothedSentence("the lungs are clear", "the lungs are clear").ShouldBe(1.0, 1e-12);
        // "the lungs are clear" vs "the lungs are clear bilaterally" (4 vs 5 words): matches 4/3/2/1 of 4/3/2/1
        // -> each order 1; brevity exp(1 - 5/4).
        Bleu.SmoothedSentence("the lungs are clear", "the lungs are clear bilaterally").ShouldBe(Math.Exp(1 - 5.0 / 4), 1e-12);
        // No 4-gram match still ranks above no match at all: "the heart is normal" vs "the heart size is normal":
        // 1-grams 4 of 4, 2-grams 2 of 3 ("the heart", "is normal"), 3-grams 0 of 2, 4-grams 0 of 1
        // -> (5/5 * 3/4 * 1/3 * 1/2)^(1/4), penalty exp(1 - 5/4).
        Bleu.SmoothedSentence("the heart is normal", "the heart size is normal").ShouldBe(Math.Pow(1.0 * 3 / 4 * 1 / 3 * 1 / 2, 0.25) * Math.Exp(1 - 5.0 / 4), 1e-12);
        Bleu.SmoothedSentence("no effusion", "the heart is normal").ShouldBeLessThan(Bleu.SmoothedSentence("the heart is normal", "the heart size is normal"));
        Bleu.SmoothedSentence("", "the heart").ShouldBe(0);
    }

    [Fact]
    public void Closest_reference_length_breaks_ties_toward_the_shorter_reference()
    {
        // cand 4 words, refs of 3 and 5 words: both 1 away -> min((1,3),(1,5)) picks 3, so no brevity penalty.
        var result = Bleu.Compute([new CaptionExample("a b c d", ["a b c", "a b c d e"])]);
        result.ReferenceLength.ShouldBe(3);
    }

    [Fact]
    public void Clipping_and_smoothing_on_a_two_item_corpus()
    {
        // "a a b" vs "a b c": unigram a clipped to 1 -> correct 2 of 3; "x y" vs "x z": 1 of 2 -> 3/5.
        var result = Bleu.Compute(ReportCorpus.Clipping);
        result.Scores[0].ShouldBe(0.5999999997600003, 1e-12);
        result.Scores[1].ShouldBe(0.44721359529125865, 1e-12);
        result.Scores[2].ShouldBe(5.848035472267137e-06, 1e-16);
    }
}

[Fast]
public sealed class RougeLTests
{
    [Fact]
    public void Hand_computed_lcs_f_measure_with_beta_1_2()
    {
        // ref1 "the cat is on the mat": LCS "the cat on the mat" = 5 -> P 5/6, R 5/6
        // ref2 "there is a cat on the mat": LCS "cat on the mat" = 4 -> P 4/6, R 4/7
        // P = max = 5/6, R = max = 5/6 -> F = (1+1.44)PR/(R+1.44P) = 5/6
        RougeL.Score("the cat sat on the mat", ["the cat is on the mat", "there is a cat on the mat"]).ShouldBe(5.0 / 6, 1e-12);
    }

    [Fact]
    public void Corpus_score_is_the_mean_of_item_scores()
    {
        var result = RougeL.Compute(ReportCorpus.Items);
        result.PerItem[0].ShouldBe(0.6841121495327103, 1e-12);
        result.PerItem[1].ShouldBe(0.8090185676392573, 1e-12);
        result.PerItem[2].ShouldBe(0.6666666666666666, 1e-12);
        result.Score.ShouldBe(0.7199324612795447, 1e-12);
        RougeL.Compute(ReportCorpus.Clipping).Score.ShouldBe(0.5833333333333333, 1e-12);
    }

    [Fact]
    public void No_common_word_scores_zero() => RougeL.Score("x y", ["a b"]).ShouldBe(0);
}

[Fast]
public sealed class CiderDTests
{
    [Fact]
    public void Hand_computed_two_item_corpus()
    {
        // 2 items -> idf base log 2. df: a, b, "a b", c, e, "c e" = 1 each; d never in refs -> log(max(1,0)) = 0.
        // item 1 "a b" vs "a b": n=1 and n=2 cosines 1, n=3,4 empty (norm 0, guarded) -> mean .5, x10 = 5
        // item 2 "c d" vs "c e": n=1 weights c,d = log2 / c,e = log2 -> min(l,l)*l / (sqrt2 l * sqrt2 l) = 1/2;
        //   n=2 "c d" vs "c e" = 0 -> mean .125, x10 = 1.25.  Corpus = (5 + 1.25)/2 = 3.125
        var result = CiderD.Compute([new CaptionExample("a b", "a b"), new CaptionExample("c d", "c e")]);
        result.PerItem[0].ShouldBe(5.0, 1e-12);
        result.PerItem[1].ShouldBe(1.25, 1e-12);
        result.Score.ShouldBe(3.125, 1e-12);
    }

    [Fact]
    public void Clipping_limits_a_repeated_word_to_the_reference_weight()
    {
        // "a a b" vs "a b c": tf(a)=2 gives hyp weight 2 log2 but the dot product uses min(2l, l) * l.
        var result = CiderD.Compute(ReportCorpus.Clipping);
        result.PerItem[0].ShouldBe(2.5409944487358063, 1e-12);
        result.Score.ShouldBe(1.8954972243679031, 1e-12);
    }

    [Fact]
    public void Report_corpus_matches_the_reference_scorer()
    {
        var result = CiderD.Compute(ReportCorpus.Items);
        result.PerItem[0].ShouldBe(3.3057519945304863, 1e-12);
        result.PerItem[1].ShouldBe(7.4217569813737665, 1e-12);
        result.PerItem[2].ShouldBe(1.1117352572796626, 1e-12);
        result.Score.ShouldBe(3.9464147443946387, 1e-12);
    }

    [Fact]
    public void Published_summeval_cider_value()
    {
        // Yale-LILY/SummEval evaluation/tests/test_cider.py: CiderMetric(tokenize=False) — pycocoevalcap's CiderScorer
        // on the raw strings of summ_eval/test_util.py CANDS/REFS — expects 2.5759014911864084.
        string[] cands =
        [
            "28-year-old chef found dead in San Francisco mall",
            "A 28-year-old chef who recently moved to San Francisco was found dead in the staircase of a local shopping center.",
            "The victim's brother said he cannot imagine anyone who would want to harm him,\"Finally, it went uphill again at him.\"",
        ];
        string[] refs =
        [
            "28-Year-Old Chef Found Dead at San Francisco Mall",
            "A 28-year-old chef who had recently moved to San Francisco was found dead in the stairwell of a local mall this week.",
            "But the victim's brother says he can't think of anyone who would want to hurt him, saying, \"Things were finally going well for him.\"",
        ];
        var result = CiderD.Compute(cands.Zip(refs, (c, r) => new CaptionExample(c, r)).ToArray());
        result.Score.ShouldBe(2.5759014911864084, 1e-12);
    }

    [Fact]
    public void Published_perfect_match_scores_bleu_one_and_cider_ten()
    {
        // irisml-tasks-training test/test_evaluate_captioning.py (pycocoevalcap behind it): the "perfect" case
        // expects BLEU-1..4 = 1.0 and CIDEr = 10.0; its first pair differs only in case, which the tokenizer removes.
        var result = TextMetrics.Evaluate(
        [
            new CaptionExample("Hello World Good bye", ["Hello World good Bye"]),
            new CaptionExample("This is perfect test", ["This is perfect test", "This is perfect test"]),
        ]);
        foreach (var bleu in result.Bleu.Scores) bleu.ShouldBe(1.0, 1e-9);
        result.Cider.Score.ShouldBe(10.0, 1e-12);
    }

    [Fact]
    public void A_single_item_corpus_scores_zero_because_every_idf_is_zero()
        => CiderD.Compute([new CaptionExample("no effusion", "no effusion")]).Score.ShouldBe(0);
}

[Fast]
public sealed class CocoTokenizerTests
{
    [Theory]
    [InlineData("The heart is normal. No effusion, (stable).", "the heart is normal no effusion stable")]
    [InlineData("Lungs: clear; no pneumothorax!", "lungs clear no pneumothorax")]
    [InlineData("Well-expanded lungs, 2.5 cm nodule -- unchanged...", "well-expanded lungs 2.5 cm nodule unchanged")]
    [InlineData("\"Quoted\" `text' here", "quoted text here")]
    [InlineData("There isn't any effusion; the heart's size is 50%.", "there is n't any effusion the heart 's size is 50 %")]
    [InlineData("Findings, e.g. effusion/edema.", "findings e.g. effusion/edema")]
    [InlineData("  ", "")]
    public void Lower_cases_and_drops_the_ptb_punctuation_list(string text, string expected)
        => CocoTokenizer.Tokenize(text).ShouldBe(expected);

    [Fact]
    public void Evaluate_tokenises_before_scoring()
    {
        var raw = TextMetrics.Evaluate([new CaptionExample("The cat sat on the mat.", ["The cat is on the mat.", "There is a cat on the mat!"])]);
        raw.Bleu.Scores[0].ShouldBe(0.8333333330555557, 1e-12);
        raw.ToDictionary().Keys.ShouldBe(TextMetrics.Names, ignoreOrder: true);
    }

    [Fact]
    public void Empty_corpus_is_refused_with_a_clear_message()
        => Should.Throw<ArgumentException>(() => TextMetrics.Evaluate([])).Message.ShouldContain("empty");
}

internal static class ReportCorpus
{
    public static readonly CaptionExample[] Items =
    [
        new("heart size is normal lungs are clear", ["the heart is normal in size the lungs are clear"]),
        new("no pleural effusion or pneumothorax", ["there is no pleural effusion or pneumothorax"]),
        new("mild cardiomegaly with small left effusion", ["moderate cardiomegaly small left pleural effusion", "the heart is enlarged"]),
    ];

    public static readonly CaptionExample[] Clipping = [new("a a b", "a b c"), new("x y", "x z")];
}
