using System.Text;
using ReportGen.Core.Text;
using ReportGen.TestSupport;

namespace ReportGen.Core.Tests.Text;

[Fast]
public class ReportTextTests
{
    [Theory]
    [InlineData("", ReportTextProblem.Empty)]
    [InlineData("  \n\t ", ReportTextProblem.Empty)]
    [InlineData("heart\0normal", ReportTextProblem.Binary)]
    [InlineData("heart\u0007normal", ReportTextProblem.Binary)]
    [InlineData("heart\u007fnormal", ReportTextProblem.Binary)]
    [InlineData("\uFFFD\uFFFD\uFFFDabc", ReportTextProblem.Binary)]
    public void Refuses_empty_and_binary_text_naming_the_field_and_never_echoing_the_text(string text, ReportTextProblem problem)
    {
        var ex = Should.Throw<ReportTextException>(() => ReportText.Validate(text, "candidate"));
        ex.Problem.ShouldBe(problem);
        ex.Field.ShouldBe("candidate");
        ex.Message.ShouldContain("'candidate'");
        ex.Message.ShouldNotContain("heart");
    }

    [Theory]
    [InlineData("Heart normal.\r\n\tLungs clear.\fNo effusion.\v")]
    [InlineData("Cœur normal. 心臓は正常。")]
    [InlineData("One stray \uFFFD among a hundred and more characters of ordinary report text, which is how pasted text looks sometimes.")]
    public void Accepts_report_text_with_whitespace_controls_and_any_script(string text) => ReportText.Validate(text);

    [Theory]
    [InlineData('\0', true)]
    [InlineData('\u001b', true)]
    [InlineData('\x7f', true)]
    [InlineData('\t', false)]
    [InlineData('\n', false)]
    [InlineData('\v', false)]
    [InlineData('\f', false)]
    [InlineData('\r', false)]
    [InlineData(' ', false)]
    [InlineData('é', false)]
    public void One_control_character_rule_for_validation_and_for_sanitising(char c, bool forbidden)
    {
        ReportText.IsForbiddenControl(c).ShouldBe(forbidden);
        if (forbidden) Should.Throw<ReportTextException>(() => ReportText.Validate($"heart{c}normal"));
        else ReportText.Validate($"heart{c}normal");
    }

    [Fact]
    public void The_limit_counts_utf8_bytes_and_is_configurable()
    {
        ReportText.Validate(new string('a', ReportText.DefaultMaxBytes));
        Should.Throw<ReportTextException>(() => ReportText.Validate(new string('a', ReportText.DefaultMaxBytes + 1))).Code.ShouldBe("text_too_large");
        // 'é' is two UTF-8 bytes: 600,000 chars are 1.2 MB although fewer than 1 Mi chars.
        var accents = new string('é', 600_000);
        Encoding.UTF8.GetByteCount(accents).ShouldBeGreaterThan(ReportText.DefaultMaxBytes);
        Should.Throw<ReportTextException>(() => ReportText.Validate(accents)).Problem.ShouldBe(ReportTextProblem.TooLarge);
        Should.Throw<ReportTextException>(() => ReportText.Validate("No pneumothorax.", maxBytes: 10)).Problem.ShouldBe(ReportTextProblem.TooLarge);
    }

    [Fact]
    public void Codes_are_the_wire_names()
    {
        Should.Throw<ReportTextException>(() => ReportText.Validate(" ")).Code.ShouldBe("empty_text");
        Should.Throw<ReportTextException>(() => ReportText.Validate("a\0")).Code.ShouldBe("binary_text");
    }
}
