using Fhir.Phr.Import.Hl7v2;

namespace Fhir.Phr.Import.Tests.Hl7v2;

public sealed class Hl7AckTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 12, 9, 0, 0, TimeSpan.FromHours(1));

    private static Hl7Message ParseOne(string text)
    {
        Assert.True(Hl7Parser.TryParse(text, out var messages, out var issues), string.Join("; ", issues));
        return Assert.Single(messages);
    }

    [Fact]
    public void Create_Accept_SwapsSenderAndReceiverAndEchoesControlId()
    {
        var original = Hl7Corpus.Single("adt-a01-basic.hl7");

        var ack = Hl7Ack.Create(original, AckCode.AA, null, Now, "ACK0001");

        Assert.Equal(
            "MSH|^~\\&|PHR|FHIRPHR|ADTSYS|NORTHWIND^2.16.840.1.113883.3.9999.1^ISO|20260312090000+0100||ACK^A01^ACK|ACK0001|P|2.5.1\rMSA|AA|MSG00001\r",
            ack);
    }

    [Theory]
    [InlineData(AckCode.AE)]
    [InlineData(AckCode.AR)]
    public void Create_Error_AddsErrSegmentWithEscapedText(AckCode code)
    {
        var original = Hl7Corpus.Single("mdm-t02-text.hl7");

        var ack = ParseOne(Hl7Ack.Create(original, code, "PID-3 missing | rejected ^ by rule & co\nsecond line", Now, "ACK0002"));

        Assert.Equal(("ACK", "T02"), (ack.MessageType, ack.TriggerEvent));
        Assert.Equal(code.ToString(), ack["MSA"].Field(1).Value);
        Assert.Equal("MSG00026", ack["MSA"].Field(2).Value);
        Assert.Equal("207", ack["ERR"].Field(3).Component(1).Value);
        Assert.Equal("HL70357", ack["ERR"].Field(3).Component(3).Value);
        Assert.Equal("E", ack["ERR"].Field(4).Value);
        Assert.Equal("PID-3 missing | rejected ^ by rule & co\nsecond line", ack["ERR"].Field(8).Repetition(0).Text);
        Assert.Equal(3, ack.Segments.Count);
    }

    [Fact]
    public void Create_AcceptWithText_HasNoErrSegment()
    {
        var original = Hl7Corpus.Single("adt-a01-mllp.hl7");

        var ack = ParseOne(Hl7Ack.Create(original, AckCode.AA, "ignored for AA"));

        Assert.False(ack["ERR"].IsPresent);
        Assert.Equal("MSG00013", ack["MSA"].Field(2).Value);
        Assert.StartsWith("ACK", ack.ControlId, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_CustomDelimiters_AreReusedInTheAck()
    {
        var original = Hl7Corpus.Single("adt-a01-custom-delimiters.hl7");

        var text = Hl7Ack.Create(original, AckCode.AE, "bad!value", Now, "ACK0003");
        var ack = ParseOne(text);

        Assert.StartsWith("MSH!@#$%!PHR!FHIRPHR!ADTSYS!LAKESIDE!", text, StringComparison.Ordinal);
        Assert.Equal(original.Delimiters, ack.Delimiters);
        Assert.Equal("bad!value", ack["ERR"].Field(8).Value);
        Assert.Equal("MSG00010", ack["MSA"].Field(2).Value);
    }

    [Fact]
    public void Create_OriginalWithoutTrigger_WritesPlainAck()
    {
        var original = ParseOne("MSH|^~\\&|A|B|C|D|20260312||ADT|77|P|2.3\r");

        var ack = ParseOne(Hl7Ack.Create(original, AckCode.AR, "no trigger", Now, "X1"));

        Assert.Equal(("ACK", string.Empty, "2.3", "77"), (ack.MessageType, ack.TriggerEvent, ack.Version, ack["MSA"].Field(2).Value));
        Assert.Equal("AR", ack["MSA"].Field(1).Value);
    }
}
