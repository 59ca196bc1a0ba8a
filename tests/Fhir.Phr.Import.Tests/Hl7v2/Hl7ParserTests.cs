using System.Text;
using Fhir.Phr.Import.Hl7v2;

namespace Fhir.Phr.Import.Tests.Hl7v2;

public sealed class Hl7ParserTests
{
    private const string Header = "MSH|^~\\&|SENDAPP|SENDFAC|RECVAPP|RECVFAC|20260312083000||ADT^A01^ADT_A01|CTRL1|P|2.5.1";

    private static Hl7Message ParseOne(string text)
    {
        var ok = Hl7Parser.TryParse(text, out var messages, out var issues);

        Assert.True(ok, string.Join("; ", issues));
        return Assert.Single(messages);
    }

    [Fact]
    public void TryParse_Header_NumbersMshFieldsFromTheFieldSeparator()
    {
        var message = ParseOne(Header + "\r");

        var msh = message["MSH"];
        Assert.Equal("|", msh.Field(1).Value);
        Assert.Equal("^~\\&", msh.Field(2).Value);
        Assert.Equal("SENDAPP", msh.Field(3).Value);
        Assert.Equal("ADT", message.MessageType);
        Assert.Equal("A01", message.TriggerEvent);
        Assert.Equal("ADT_A01", msh.Field(9).Component(3).Value);
        Assert.Equal("CTRL1", message.ControlId);
        Assert.Equal("2.5.1", message.Version);
    }

    [Fact]
    public void TryParse_Composite_ReadsRepetitionsComponentsAndSubComponents()
    {
        var message = ParseOne(Header + "\rPID|1||111^^^HOSP&1.2.3&ISO^MR~222^^^OTHER^PI||Doe^Jane\r");

        var identifiers = message["PID"].Field(3);
        Assert.Equal(2, identifiers.RepetitionCount);
        Assert.Equal("111", identifiers.Repetition(0).Component(1).Value);
        Assert.Equal("HOSP", identifiers.Repetition(0).Component(4).SubComponent(1));
        Assert.Equal("1.2.3", identifiers.Repetition(0).Component(4).SubComponent(2));
        Assert.Equal("ISO", identifiers.Repetition(0).Component(4).SubComponent(3));
        Assert.Equal(3, identifiers.Repetition(0).Component(4).SubComponentCount);
        Assert.Equal("PI", identifiers.Repetition(1).Component(5).Value);
        Assert.Equal("Jane", message["PID"].Field(5).Repetition(0).Component(2).Value);
    }

    [Fact]
    public void TryParse_AbsentParts_AreEmptyNotErrors()
    {
        var message = ParseOne(Header + "\rPID|1\r");

        Assert.True(message["PID"].Field(40).IsEmpty);
        Assert.Equal(string.Empty, message["PID"].Field(3).Repetition(5).Component(9).SubComponent(4));
        Assert.False(message["ZZZ"].IsPresent);
        Assert.Equal(string.Empty, message["ZZZ"].Field(1).Value);
        Assert.Equal(0, message["PID"].Field(3).RepetitionCount);
    }

    [Theory]
    [InlineData("a\\F\\b", "a|b")]
    [InlineData("a\\S\\b", "a^b")]
    [InlineData("a\\T\\b", "a&b")]
    [InlineData("a\\R\\b", "a~b")]
    [InlineData("a\\E\\b", "a\\b")]
    [InlineData("line1\\.br\\line2", "line1\nline2")]
    [InlineData("\\X41424344\\", "ABCD")]
    [InlineData("caf\\XC3A9\\", "café")]
    [InlineData("\\H\\bold\\N\\ text", "bold text")]
    [InlineData("keep \\Z12\\ as is", "keep \\Z12\\ as is")]
    [InlineData("odd hex \\X4\\", "odd hex \\X4\\")]
    [InlineData("not hex \\XZZ\\", "not hex \\XZZ\\")]
    [InlineData("unterminated \\F", "unterminated \\F")]
    [InlineData("\\E\\\\E\\", "\\\\")]
    public void TryParse_EscapeSequence_IsDecoded(string written, string expected)
    {
        var message = ParseOne(Header + "\rNTE|1||" + written + "\r");

        Assert.Equal(expected, message["NTE"].Field(3).Value);
    }

    [Fact]
    public void TryParse_EscapedDelimiter_DoesNotSplit()
    {
        var message = ParseOne(Header + "\rNTE|1||a\\S\\b^c\r");

        Assert.Equal("a^b", message["NTE"].Field(3).Component(1).Value);
        Assert.Equal("c", message["NTE"].Field(3).Component(2).Value);
        Assert.Equal(2, message["NTE"].Field(3).Repetition(0).ComponentCount);
    }

    [Fact]
    public void TryParse_HexEscapeInLatin1Message_UsesMsh18()
    {
        var message = ParseOne("MSH|^~\\&|A|B|C|D|20260312||ADT^A01|1|P|2.5.1||||||8859/1\rNTE|1||caf\\XE9\\\r");

        Assert.Equal("café", message["NTE"].Field(3).Value);
    }

    [Fact]
    public void TryParse_CustomDelimiters_AreTakenFromMsh1AndMsh2()
    {
        var message = ParseOne("MSH*%+!#*A*B*C*D*20260312**ADT%A08*9*P*2.5.1\rPID*1**7%%%X#Y%MR+8**Last!F!Name%First\r");

        Assert.Equal(new Hl7Delimiters('*', '%', '+', '!', '#'), message.Delimiters);
        Assert.Equal("A08", message.TriggerEvent);
        Assert.Equal("%+!#", message["MSH"].Field(2).Value);
        Assert.Equal(2, message["PID"].Field(3).RepetitionCount);
        Assert.Equal("Y", message["PID"].Field(3).Component(4).SubComponent(2));
        Assert.Equal("Last*Name", message["PID"].Field(5).Value);
    }

    [Fact]
    public void TryParse_OnlyTwoEncodingCharacters_HasNoEscapeOrSubComponent()
    {
        var message = ParseOne("MSH|^~|A|B|C|D|20260312||ADT^A01|1|P|2.5.1\rNTE|1||a\\F\\b&c\r");

        Assert.Equal("a\\F\\b&c", message["NTE"].Field(3).Value);
    }

    [Theory]
    [InlineData("\r")]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public void TryParse_AnySegmentTerminator_GivesTheSameSegments(string terminator)
    {
        var text = string.Join(terminator, Header, "EVN|A01", "PID|1||5^^^H^MR") + terminator;

        var ok = Hl7Parser.TryParse(Encoding.UTF8.GetBytes(text), out var messages, out var issues);

        Assert.True(ok);
        Assert.Empty(issues);
        var message = Assert.Single(messages);
        Assert.Equal(["MSH", "EVN", "PID"], message.Segments.Select(s => s.Name));
        Assert.Equal("5", message["PID"].Field(3).Value);
    }

    [Fact]
    public void TryParse_MllpFramesAndBatchWrappers_AreStripped()
    {
        var text = "\u000bFHS|^~\\&|A\rBHS|^~\\&|A\r" + Header + "\rPID|1\r" + Header.Replace("CTRL1", "CTRL2", StringComparison.Ordinal) + "\rPID|2\rBTS|2\rFTS|1\r\u001c\r";

        var ok = Hl7Parser.TryParse(Encoding.UTF8.GetBytes(text), out var messages, out var issues);

        Assert.True(ok, string.Join("; ", issues));
        Assert.Equal(["CTRL1", "CTRL2"], messages.Select(m => m.ControlId));
        Assert.Equal([0, 1], messages.Select(m => m.Index));
        Assert.All(messages, m => Assert.Equal(["MSH", "PID"], m.Segments.Select(s => s.Name)));
    }

    [Fact]
    public void TryParse_UnreadableMessageInBatch_KeepsInputPositions()
    {
        var text = Header + "\rPID|1\rMSH^^|x\rPID|2\r" + Header.Replace("CTRL1", "CTRL3", StringComparison.Ordinal) + "\rPID|3\r";

        var ok = Hl7Parser.TryParse(Encoding.UTF8.GetBytes(text), out var messages, out var issues);

        Assert.False(ok);
        Assert.Equal([0, 2], messages.Select(m => m.Index));
        Assert.Equal(["CTRL1", "CTRL3"], messages.Select(m => m.ControlId));
        var issue = Assert.Single(issues);
        Assert.Equal((Hl7IssueCode.InvalidMessageHeader, 1), (issue.Code, issue.MessageIndex));
    }

    [Fact]
    public void TryParse_Utf8ByteOrderMark_IsSkipped()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(Header + "\r")).ToArray();

        var ok = Hl7Parser.TryParse(bytes, out var messages, out _);

        Assert.True(ok);
        Assert.Equal("CTRL1", Assert.Single(messages).ControlId);
    }

    [Fact]
    public void TryParse_InvalidUtf8WithoutMsh18_FallsBackToLatin1WithWarning()
    {
        var bytes = Encoding.Latin1.GetBytes(Header + "\rPID|1||1||Mu\u00f1oz\r");

        var ok = Hl7Parser.TryParse(bytes, out var messages, out var issues);

        Assert.True(ok);
        Assert.Equal("Mu\u00f1oz", Assert.Single(messages)["PID"].Field(5).Value);
        var issue = Assert.Single(issues);
        Assert.Equal(Hl7IssueCode.InvalidCharacterEncoding, issue.Code);
        Assert.Equal(Hl7IssueSeverity.Warning, issue.Severity);
    }

    [Fact]
    public void TryParse_UnsupportedCharacterSet_IsReportedAndReadAsUtf8()
    {
        var bytes = Encoding.UTF8.GetBytes("MSH|^~\\&|A|B|C|D|20260312||ADT^A01|1|P|2.5.1||||||ISO IR87\rPID|1||1||\u00e9\r");

        var ok = Hl7Parser.TryParse(bytes, out var messages, out var issues);

        Assert.True(ok);
        Assert.Equal("\u00e9", Assert.Single(messages)["PID"].Field(5).Value);
        var issue = Assert.Single(issues);
        Assert.Equal(Hl7IssueCode.UnsupportedCharacterSet, issue.Code);
        Assert.Equal(18, issue.Field);
    }

    [Fact]
    public void TryParse_InvalidSegmentLine_IsSkippedWithItsPosition()
    {
        var ok = Hl7Parser.TryParse(Header + "\rthis is not a segment\rPID|1\r", out var messages, out var issues);

        Assert.True(ok);
        Assert.Equal(["MSH", "PID"], Assert.Single(messages).Segments.Select(s => s.Name));
        Assert.Equal(3, Assert.Single(messages)["PID"].Position);
        var issue = Assert.Single(issues);
        Assert.Equal(Hl7IssueCode.InvalidSegmentName, issue.Code);
        Assert.Equal(2, issue.SegmentPosition);
    }

    [Theory]
    [InlineData("", Hl7IssueCode.EmptyInput)]
    [InlineData("PID|1||123\rPV1|1\r", Hl7IssueCode.NoMessageHeader)]
    [InlineData("MSH", Hl7IssueCode.InvalidMessageHeader)]
    [InlineData("MSH|", Hl7IssueCode.InvalidMessageHeader)]
    [InlineData("MSH|^^~\\&|A", Hl7IssueCode.InvalidMessageHeader)]
    [InlineData("MSHA^~\\&|A", Hl7IssueCode.InvalidMessageHeader)]
    [InlineData("MSH|^~\\&|A|B|C", Hl7IssueCode.MissingRequiredHeaderField)]
    public void TryParse_BadInput_ReturnsFalseWithCodedIssue(string text, Hl7IssueCode expected)
    {
        var fromText = Hl7Parser.TryParse(text, out _, out var textIssues);
        var fromBytes = Hl7Parser.TryParse(Encoding.UTF8.GetBytes(text), out _, out var byteIssues);

        Assert.False(fromText);
        Assert.False(fromBytes);
        Assert.Contains(textIssues, i => i.Code == expected && i.Severity == Hl7IssueSeverity.Error);
        Assert.Equal(textIssues.Select(i => i.Code), byteIssues.Select(i => i.Code));
    }

    [Fact]
    public void TryParse_GarbageBeforeMessage_IsReportedOnceAndMessageStillRead()
    {
        var ok = Hl7Parser.TryParse("junk\rmore junk\r" + Header + "\r", out var messages, out var issues);

        Assert.True(ok);
        Assert.Single(messages);
        var issue = Assert.Single(issues);
        Assert.Equal(Hl7IssueCode.SegmentOutsideMessage, issue.Code);
    }

    [Fact]
    public void ToString_WritesSegmentsWithCarriageReturns()
    {
        var message = ParseOne(Header + "\nPID|1||5\n");

        Assert.Equal(Header + "\rPID|1||5\r", message.ToString());
    }

    [Fact]
    public void EscapeText_RoundTripsThroughTheParser()
    {
        const string Original = "a|b^c&d~e\\f\ng";
        var escaped = Hl7Delimiters.Default.EscapeText(Original);

        var message = ParseOne(Header + "\rNTE|1||" + escaped + "\r");

        Assert.Equal(Original, message["NTE"].Field(3).Value);
        Assert.DoesNotContain('|', escaped);
    }
}
