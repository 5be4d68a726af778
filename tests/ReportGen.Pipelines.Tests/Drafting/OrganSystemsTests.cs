using ReportGen.Pipelines.Drafting;
using ReportGen.TestSupport;

namespace ReportGen.Pipelines.Tests.Drafting;

[Fast]
public class OrganSystemsTests
{
    [Theory]
    [InlineData("Small right pleural effusion.", "pleura")]
    [InlineData("No pneumothorax.", "pleura")]
    [InlineData("Bronchial wall thickening in the lower lobes.", "airways")]
    [InlineData("The trachea is midline.", "airways")]
    [InlineData("Heart size is normal without pericardial effusion.", "heart/mediastinum")] // the one override of the order
    [InlineData("Heart size normal; small left effusion.", "pleura")]           // otherwise the order decides
    [InlineData("Enlarged hilar lymph nodes.", "heart/mediastinum")]
    [InlineData("The aorta is of normal calibre.", "heart/mediastinum")]
    [InlineData("Degenerative changes of the thoracic spine.", "bones")]
    [InlineData("No rib fracture.", "bones")]
    [InlineData("The visualised liver and spleen are unremarkable.", "upper abdomen")]
    [InlineData("A 6 mm nodule in the right upper lobe.", "lungs")]
    [InlineData("Ground-glass opacities in both lungs.", "lungs")]
    [InlineData("Once upon a time there was a cat.", "other")]
    public void Sentences_go_to_the_first_matching_system(string sentence, string system) =>
        OrganSystems.Classify(sentence).ShouldBe(system);

    [Fact]
    public void Group_keeps_every_system_in_order_and_every_sentence_once()
    {
        var groups = OrganSystems.Group(["Lungs are clear.", "No effusion.", "Heart normal.", "Hello."]);
        groups.Keys.ShouldBe(OrganSystems.Order);
        groups["lungs"].ShouldBe(["Lungs are clear."]);
        groups["pleura"].ShouldBe(["No effusion."]);
        groups["heart/mediastinum"].ShouldBe(["Heart normal."]);
        groups["other"].ShouldBe(["Hello."]);
        groups["bones"].ShouldBeEmpty();
    }
}
