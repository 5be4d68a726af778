using ReportGen.Pipelines.Completion;
using ReportGen.TestSupport;

namespace ReportGen.Pipelines.Tests.Completion;

[Fast]
public sealed class FindingPolarityTests
{
    private static FindingState StateOf(string sentence, string concept) =>
        FindingPolarity.Extract(sentence).Single(m => m.Concept == concept).State;

    [Theory]
    [InlineData("Small left pleural effusion.", "pleural effusion", FindingState.Present)]
    [InlineData("No pleural effusion.", "pleural effusion", FindingState.Absent)]
    [InlineData("No pneumothorax or pleural effusion is seen.", "pleural effusion", FindingState.Absent)]
    [InlineData("No pneumothorax or pleural effusion is seen.", "pneumothorax", FindingState.Absent)]
    [InlineData("The heart is enlarged.", "heart", FindingState.Present)]
    [InlineData("Heart size is normal.", "heart", FindingState.Absent)]
    [InlineData("Cardiomegaly.", "heart", FindingState.Present)]
    [InlineData("No cardiomegaly.", "heart", FindingState.Absent)]
    [InlineData("The lungs are free of focal airspace disease.", "consolidation", FindingState.Absent)]
    [InlineData("The lungs are clear.", "lungs", FindingState.Absent)]
    [InlineData("Calcified granuloma in the right upper lobe.", "granuloma", FindingState.Present)]
    // Negation cues come from the structuring lexicon: post-cues negate what came before them in the clause,
    // and "can not exclude" is uncertainty, not negation.
    [InlineData("Pneumothorax is not seen.", "pneumothorax", FindingState.Absent)]
    [InlineData("The pleural effusion has resolved.", "pleural effusion", FindingState.Absent)]
    [InlineData("No visible pneumothorax.", "pneumothorax", FindingState.Absent)]
    [InlineData("Can not exclude pneumonia.", "consolidation", FindingState.Present)]
    public void Reads_concept_and_state(string sentence, string concept, FindingState expected)
    {
        StateOf(sentence, concept).ShouldBe(expected);
    }

    [Fact]
    public void A_contrast_word_ends_the_negation_scope()
    {
        var mentions = FindingPolarity.Extract("No pneumothorax, but there is a small right pleural effusion.");
        mentions.Single(m => m.Concept == "pneumothorax").State.ShouldBe(FindingState.Absent);
        mentions.Single(m => m.Concept == "pleural effusion").State.ShouldBe(FindingState.Present);
    }

    [Theory]
    [InlineData("Small left pleural effusion.", "No pleural effusion.", true)]
    [InlineData("The heart is enlarged.", "Heart size is normal.", true)]
    [InlineData("The heart is enlarged.", "No pleural effusion.", false)]
    [InlineData("No pleural effusion.", "No pneumothorax or pleural effusion.", false)]
    public void Detects_contradictions(string established, string candidate, bool contradicts)
    {
        var state = FindingPolarity.Extract(established).ToDictionary(m => m.Concept, m => m.State);
        FindingPolarity.Contradicts(state, FindingPolarity.Extract(candidate)).ShouldBe(contradicts);
    }
}
