using Fhir.Phr.Core.Ingest;
using Fhir.Phr.Import.Documents;

namespace Fhir.Phr.Core.Tests.Ingest;

public sealed class DocumentOcrTests
{
    [Theory]
    [InlineData("off")]
    [InlineData(" OFF ")]
    public void FromSetting_Off_HasNoRecognizer(string setting)
    {
        var ocr = DocumentOcr.FromSetting(setting);

        Assert.Null(ocr.Recognizer);
        Assert.StartsWith("off", ocr.State, StringComparison.Ordinal);
    }

    [Fact]
    public void FromSetting_PathOfAnExecutable_UsesIt()
    {
        var path = TesseractTextRecognizer.FindOnPath()
            ?? throw new InvalidOperationException("tesseract is not on PATH: install tesseract-ocr and tesseract-ocr-eng (.ci/run does).");

        var ocr = DocumentOcr.FromSetting(path);

        Assert.Equal(path, Assert.IsType<TesseractTextRecognizer>(ocr.Recognizer).Executable);
        Assert.Contains("Phr:Import:Ocr", ocr.State, StringComparison.Ordinal);
    }

    [Fact]
    public void FromSetting_PathThatIsNoFile_IsRefused()
    {
        var error = Assert.Throws<InvalidOperationException>(() => DocumentOcr.FromSetting("/nonexistent/bin/tesseract"));

        Assert.Contains("'/nonexistent/bin/tesseract'", error.Message, StringComparison.Ordinal);
    }
}
