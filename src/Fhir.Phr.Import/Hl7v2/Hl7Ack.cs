using System.Globalization;
using System.Text;

namespace Fhir.Phr.Import.Hl7v2;

/// <summary>MSA-1 acknowledgment codes for original-mode acknowledgments (HL7 v2.5.1 table 0008).</summary>
public enum AckCode
{
    /// <summary>Application accept.</summary>
    AA = 1,

    /// <summary>Application error.</summary>
    AE,

    /// <summary>Application reject.</summary>
    AR,
}

/// <summary>Builds the ACK for a received message (HL7 v2.5.1 chapter 2, original acknowledgment rules).</summary>
public static class Hl7Ack
{
    /// <summary>An ACK stamped now, with a control id derived from the time.</summary>
    public static string Create(Hl7Message original, AckCode code, string? error) =>
        Create(original, code, error, TimeProvider.System.GetUtcNow(), null);

    /// <summary>
    /// The ACK as ER7 text (segments ended by CR, no MLLP frame), written with the original's delimiters
    /// so the sender can read it with its own settings.
    /// </summary>
    public static string Create(Hl7Message original, AckCode code, string? error, DateTimeOffset timestamp, string? controlId)
    {
        ArgumentNullException.ThrowIfNull(original);
        var d = original.Delimiters;
        var f = d.Field;
        var msh = original.Header;
        var trigger = original.TriggerEvent;
        controlId ??= "ACK" + timestamp.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);

        // MSH-3/4 (sender) and MSH-5/6 (receiver) swap; the processing id and version are echoed.
        var builder = new StringBuilder(256);
        builder.Append("MSH").Append(f).Append(d.EncodingCharacters)
            .Append(f).Append(msh.Field(5).Raw)
            .Append(f).Append(msh.Field(6).Raw)
            .Append(f).Append(msh.Field(3).Raw)
            .Append(f).Append(msh.Field(4).Raw)
            .Append(f).Append(timestamp.ToString("yyyyMMddHHmmsszzz", CultureInfo.InvariantCulture).Replace(":", string.Empty, StringComparison.Ordinal))
            .Append(f)
            .Append(f).Append(trigger.Length > 0 ? $"ACK{d.Component}{d.EscapeText(trigger)}{d.Component}ACK" : "ACK")
            .Append(f).Append(d.EscapeText(controlId))
            .Append(f).Append(msh.Field(11).Raw)
            .Append(f).Append(msh.Field(12).Raw)
            .Append('\r');
        builder.Append("MSA").Append(f).Append(code.ToString()).Append(f).Append(msh.Field(10).Raw).Append('\r');
        if (error is not null && code != AckCode.AA)
        {
            // ERR-3 HL7 error code (table 0357) 207 "application internal error", ERR-4 severity E, ERR-8 user message.
            builder.Append("ERR").Append(f).Append(f)
                .Append(f).Append("207").Append(d.Component).Append("Application internal error").Append(d.Component).Append("HL70357")
                .Append(f).Append('E')
                .Append(f).Append(f).Append(f).Append(f).Append(d.EscapeText(error))
                .Append('\r');
        }

        return builder.ToString();
    }
}
