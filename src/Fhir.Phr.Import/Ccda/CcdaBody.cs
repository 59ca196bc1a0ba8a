using System.Globalization;
using System.IO.Compression;
using System.Xml.Linq;
using Hl7.Fhir.Model;

namespace Fhir.Phr.Import.Ccda;

/// <summary>The DocumentReference's content: the original XML, the narratives of a structuredBody, or a nonXMLBody unpacked.</summary>
internal static class CcdaBody
{
    /// <summary>
    /// The original XML first, then the section narratives as text/plain, then a nonXMLBody's content unpacked. Attachment.size
    /// is left out: the SDK writes it as a JSON string (R5's integer64), which R4 readers reject.
    /// </summary>
    public static void AddContent(DocumentReference document, XElement root, byte[] input, FhirDateTime? created, int maxBytes, bool knownTemplate, string? release, CcdaConversion conversion)
    {
        var body = root.Child("component");
        var structured = body.Child("structuredBody");
        var nonXml = body.Child("nonXMLBody");
        var language = root.Child("languageCode").Attr("code");
        var version = release == CcdaTemplates.Release21 ? "2.1" : "1.1";
        var format = !knownTemplate
            ? new Coding(CcdaToFhir.FormatCodeSystem, "urn:ihe:iti:xds:2017:mimeTypeSufficient", "mimeType Sufficient")
            : nonXml is not null
                ? new Coding(CcdaToFhir.FormatCodeSystem, $"urn:hl7-org:sdwg:ccda-nonXMLBody:{version}", $"For documents following C-CDA {version} constraints using a non structured body.")
                : new Coding(CcdaToFhir.FormatCodeSystem, $"urn:hl7-org:sdwg:ccda-structuredBody:{version}", $"For documents following C-CDA {version} constraints using a structured body.");
        document.Content.Add(new DocumentReference.ContentComponent
        {
            Attachment = new Attachment
            {
                ContentType = CcdaToFhir.ContentType,
                Data = input,
                Language = language,
                Title = document.Description,
                CreationElement = created,
            },
            Format = format,
        });

        if (structured is not null)
        {
            var narrative = CcdaNarrative.Extract(structured);
            if (narrative.Length > 0)
            {
                document.Content.Add(new DocumentReference.ContentComponent
                {
                    Attachment = new Attachment
                    {
                        ContentType = "text/plain; charset=utf-8",
                        Data = System.Text.Encoding.UTF8.GetBytes(narrative),
                        Language = language,
                        Title = CcdaToFhir.NarrativeTitle,
                    },
                });
            }
        }
        else if (nonXml is not null)
        {
            if (NonXmlAttachment(nonXml.Child("text"), maxBytes, conversion) is { } attachment)
            {
                attachment.Language = language;
                attachment.Title = document.Description;
                document.Content.Add(new DocumentReference.ContentComponent { Attachment = attachment });
            }
        }
        else
        {
            conversion.Report(CcdaIssueCode.MissingBody, CcdaIssueSeverity.Warning, "the document has neither a structuredBody nor a nonXMLBody; only the original is kept", body ?? root);
        }
    }

    /// <summary>
    /// nonXMLBody/text (CDA R2 ED): mediaType, representation B64 or TXT, optional compression (DF, GZ, ZL), or a reference to
    /// content outside the document. Content that cannot be unpacked is reported; the original XML still holds it.
    /// </summary>
    private static Attachment? NonXmlAttachment(XElement? text, int maxBytes, CcdaConversion conversion)
    {
        if (text is null)
        {
            conversion.Report(CcdaIssueCode.InvalidNonXmlBody, CcdaIssueSeverity.Warning, "nonXMLBody has no text element", null);
            return null;
        }

        var mediaType = text.Attr("mediaType") ?? "text/plain";
        if (text.Child("reference").Attr("value") is { } url && string.IsNullOrWhiteSpace(text.Value))
        {
            return Uri.TryCreate(url, UriKind.RelativeOrAbsolute, out _) ? new Attachment { ContentType = mediaType, Url = url } : null;
        }

        byte[]? bytes;
        if (text.Attr("representation") == "B64")
        {
            var compact = string.Concat(text.Nodes().OfType<XText>().SelectMany(t => t.Value).Where(c => !char.IsWhiteSpace(c)));
            var buffer = new byte[compact.Length * 3 / 4 + 3];
            bytes = System.Convert.TryFromBase64String(compact, buffer, out var written) && written > 0 ? buffer[..written] : null;
            if (bytes is null)
            {
                conversion.Report(CcdaIssueCode.InvalidNonXmlBody, CcdaIssueSeverity.Warning, "nonXMLBody/text is not valid Base64; only the original is kept", text);
                return null;
            }
        }
        else
        {
            bytes = System.Text.Encoding.UTF8.GetBytes(text.Value);
        }

        if (text.Attr("compression") is { } compression)
        {
            bytes = Decompress(bytes, compression, maxBytes, text, conversion);
            if (bytes is null)
            {
                return null;
            }
        }

        if (mediaType.StartsWith("text/", StringComparison.OrdinalIgnoreCase) && !mediaType.Contains("charset", StringComparison.OrdinalIgnoreCase) && text.Attr("representation") != "B64")
        {
            mediaType += "; charset=utf-8";
        }

        return new Attachment { ContentType = mediaType, Data = bytes };
    }

    /// <summary>CompressionAlgorithm (CDA R2): DF deflate, GZ gzip, ZL zlib; bounded so a small bomb cannot fill memory.</summary>
    private static byte[]? Decompress(byte[] bytes, string compression, int maxBytes, XElement at, CcdaConversion conversion)
    {
        try
        {
            using var input = new MemoryStream(bytes, writable: false);
            using Stream decompressor = compression switch
            {
                "DF" => new DeflateStream(input, CompressionMode.Decompress),
                "GZ" => new GZipStream(input, CompressionMode.Decompress),
                "ZL" => new ZLibStream(input, CompressionMode.Decompress),
                _ => Stream.Null,
            };
            if (ReferenceEquals(decompressor, Stream.Null))
            {
                conversion.Report(CcdaIssueCode.UnsupportedCompression, CcdaIssueSeverity.Warning,
                    $"compression '{compression}' is not DF, GZ or ZL; only the original is kept", at);
                return null;
            }

            using var output = new MemoryStream();
            var buffer = new byte[81920];
            int read;
            while ((read = decompressor.Read(buffer, 0, buffer.Length)) > 0)
            {
                if (output.Length + read > maxBytes)
                {
                    conversion.Report(CcdaIssueCode.InvalidNonXmlBody, CcdaIssueSeverity.Warning,
                        $"nonXMLBody unpacks to more than {maxBytes} bytes; only the original is kept", at);
                    return null;
                }

                output.Write(buffer, 0, read);
            }

            return output.ToArray();
        }
        catch (InvalidDataException e)
        {
            conversion.Report(CcdaIssueCode.InvalidNonXmlBody, CcdaIssueSeverity.Warning,
                string.Create(CultureInfo.InvariantCulture, $"nonXMLBody is not valid {compression} data ({e.Message}); only the original is kept"), at);
            return null;
        }
    }
}
