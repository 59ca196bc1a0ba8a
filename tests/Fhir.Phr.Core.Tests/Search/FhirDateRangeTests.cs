using Fhir.Phr.Core.Search;

namespace Fhir.Phr.Core.Tests.Search;

public sealed class FhirDateRangeTests
{
    [Theory]
    [InlineData("2024", "2024-01-01T00:00:00.0000000Z", "2024-12-31T23:59:59.9999999Z")]
    [InlineData("2024-02", "2024-02-01T00:00:00.0000000Z", "2024-02-29T23:59:59.9999999Z")]
    [InlineData("2024-03-01", "2024-03-01T00:00:00.0000000Z", "2024-03-01T23:59:59.9999999Z")]
    [InlineData("2024-03-01T10:00", "2024-03-01T10:00:00.0000000Z", "2024-03-01T10:00:59.9999999Z")]
    [InlineData("2024-03-01T10:00:00Z", "2024-03-01T10:00:00.0000000Z", "2024-03-01T10:00:00.9999999Z")]
    [InlineData("2024-03-01T10:00:00+02:00", "2024-03-01T08:00:00.0000000Z", "2024-03-01T08:00:00.9999999Z")]
    [InlineData("2024-03-01T10:00:00.5Z", "2024-03-01T10:00:00.5000000Z", "2024-03-01T10:00:00.5999999Z")]
    public void TryParse_GivesPrecisionAsRange(string value, string low, string high)
    {
        Assert.True(FhirDateRange.TryParse(value, out var range));

        Assert.Equal(low, range.Low.ToString("o", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(high, range.High.ToString("o", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("")]
    [InlineData("24")]
    [InlineData("2024-13")]
    [InlineData("2024-02-30")]
    [InlineData("2024-01-01T25:00")]
    [InlineData("yesterday")]
    [InlineData("2024-01-01 10:00")]
    public void TryParse_RejectsInvalid(string value) =>
        Assert.False(FhirDateRange.TryParse(value, out _));
}
