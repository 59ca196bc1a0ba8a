using System.Collections.Frozen;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Hl7.Fhir.Model;

namespace Fhir.Phr.Import.Ccda;

/// <summary>
/// CDA R2 data types (II, CD, PN, AD, TEL) as FHIR R4 data types, following the C-CDA on FHIR mappings
/// (hl7.org/fhir/us/ccda/mappingGuidance.html) where they say how.
/// </summary>
internal static partial class CcdaDataTypes
{
    public static readonly XNamespace V3 = "urn:hl7-org:v3";
    public static readonly XNamespace Sdtc = "urn:hl7-org:sdtc";

    /// <summary>Code system OIDs that FHIR names by URL (R4 terminologies-systems.html); any other OID stays urn:oid:.</summary>
    private static readonly FrozenDictionary<string, string> CodeSystems = new Dictionary<string, string>
    {
        ["2.16.840.1.113883.6.1"] = "http://loinc.org",
        ["2.16.840.1.113883.6.96"] = "http://snomed.info/sct",
        ["2.16.840.1.113883.6.88"] = "http://www.nlm.nih.gov/research/umls/rxnorm",
        ["2.16.840.1.113883.6.90"] = "http://hl7.org/fhir/sid/icd-10-cm",
        ["2.16.840.1.113883.6.3"] = "http://hl7.org/fhir/sid/icd-10",
        ["2.16.840.1.113883.6.12"] = "http://www.ama-assn.org/go/cpt",
        ["2.16.840.1.113883.6.101"] = "http://nucc.org/provider-taxonomy",
        ["2.16.840.1.113883.6.8"] = "http://unitsofmeasure.org",
        ["2.16.840.1.113883.5.1"] = "http://terminology.hl7.org/CodeSystem/v3-AdministrativeGender",
        ["2.16.840.1.113883.5.2"] = "http://terminology.hl7.org/CodeSystem/v3-MaritalStatus",
        ["2.16.840.1.113883.5.25"] = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality",
        ["2.16.840.1.113883.5.4"] = "http://terminology.hl7.org/CodeSystem/v3-ActCode",
        ["2.16.840.1.113883.5.111"] = "http://terminology.hl7.org/CodeSystem/v3-RoleCode",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static IEnumerable<XElement> Children(this XElement? parent, string name) =>
        parent?.Elements(V3 + name) ?? [];

    public static XElement? Child(this XElement? parent, string name) => parent?.Element(V3 + name);

    public static XElement? Path(this XElement? parent, params ReadOnlySpan<string> names)
    {
        var current = parent;
        foreach (var name in names)
        {
            current = current?.Element(V3 + name);
        }

        return current;
    }

    public static string? Attr(this XElement? element, string name) =>
        element?.Attribute(name)?.Value.Trim() is { Length: > 0 } value ? value : null;

    /// <summary>Text content with runs of white space (line breaks from pretty-printing) folded to one space.</summary>
    public static string? Text(this XElement? element) =>
        element is null ? null : WhiteSpace().Replace(element.Value, " ").Trim() is { Length: > 0 } text ? text : null;

    public static string CodeSystem(string oid) =>
        CodeSystems.TryGetValue(oid, out var url) ? url : OidPattern().IsMatch(oid) ? "urn:oid:" + oid : "urn:fhir-phr:cda-codesystem:" + Uri.EscapeDataString(oid);

    public static bool IsOid(string value) => OidPattern().IsMatch(value);

    /// <summary>
    /// II: root OID (or UUID) with extension -> system urn:oid:root (urn:uuid:root) and value extension; a root alone is itself
    /// the identifier, so system urn:ietf:rfc:3986 and value urn:oid:root. Null for a nullFlavor or an II without root.
    /// </summary>
    public static Identifier? Identifier(XElement? ii, CcdaConversion conversion)
    {
        var root = ii.Attr("root");
        if (root is null)
        {
            if (ii.Attr("extension") is { } orphan)
            {
                conversion.Report(CcdaIssueCode.InvalidIdentifier, CcdaIssueSeverity.Warning, $"identifier '{orphan}' has no root; it has no system", ii);
                return new Identifier { Value = orphan };
            }

            return null;
        }

        string? rootUri = IsOid(root) ? "urn:oid:" + root
            : Guid.TryParse(root, out var uuid) ? "urn:uuid:" + uuid.ToString("D")
            : null;
        var extension = ii.Attr("extension");
        if (rootUri is null)
        {
            conversion.Report(CcdaIssueCode.InvalidIdentifier, CcdaIssueSeverity.Warning, $"identifier root '{root}' is neither an OID nor a UUID; it has no system", ii);
            return new Identifier { Value = extension ?? root };
        }

        return extension is null ? new Identifier("urn:ietf:rfc:3986", rootUri) : new Identifier(rootUri, extension);
    }

    /// <summary>CD/CE: code in its system, display name, original text, and translations as further codings.</summary>
    public static CodeableConcept? Concept(XElement? cd)
    {
        if (cd is null)
        {
            return null;
        }

        var concept = new CodeableConcept();
        foreach (var coded in cd.Children("translation").Prepend(cd))
        {
            if (coded.Attr("code") is { } code)
            {
                var system = coded.Attr("codeSystem") is { } oid ? CodeSystem(oid) : null;
                concept.Coding.Add(new Coding(system, code, coded.Attr("displayName")));
            }
        }

        concept.Text = cd.Child("originalText").Text() ?? cd.Attr("displayName");
        return concept.Coding.Count > 0 || concept.Text is not null ? concept : null;
    }

    /// <summary>PN: given, family, prefix and suffix parts; a name written as plain text is kept as text.</summary>
    public static HumanName? Name(XElement pn)
    {
        var name = new HumanName
        {
            Family = string.Join(' ', pn.Children("family").Select(f => f.Text()).OfType<string>()) is { Length: > 0 } family ? family : null,
            Given = pn.Children("given").Select(g => g.Text()).OfType<string>().ToList(),
            Prefix = pn.Children("prefix").Select(p => p.Text()).OfType<string>().ToList(),
            Suffix = pn.Children("suffix").Select(s => s.Text()).OfType<string>().ToList(),
        };
        if (name.Family is null && !name.Given.Any() && !pn.HasElements)
        {
            name.Text = pn.Text();
        }

        if (name.Family is null && !name.Given.Any() && name.Text is null)
        {
            return null;
        }

        // EntityNameUse (CDA R2) to name-use: legal is official, pseudonym a nickname, assigned the usual name.
        name.Use = pn.Attr("use")?.Split(' ')[0] switch
        {
            "L" or "OR" => HumanName.NameUse.Official,
            "P" or "A" => HumanName.NameUse.Nickname,
            "ASGN" => HumanName.NameUse.Usual,
            "C" => HumanName.NameUse.Old,
            _ => null,
        };
        return name;
    }

    /// <summary>A person's or organisation's name as display text: the parts of a PN in reading order, or the text of an ON.</summary>
    public static string? Display(XElement? name)
    {
        if (name is null)
        {
            return null;
        }

        if (!name.HasElements)
        {
            return name.Text();
        }

        var parts = name.Children("prefix").Concat(name.Children("given")).Concat(name.Children("family")).Concat(name.Children("suffix"));
        return string.Join(' ', parts.Select(p => p.Text()).OfType<string>()) is { Length: > 0 } display ? display : name.Text();
    }

    /// <summary>AD: street lines, city, state, postal code, country and county; null when every part is empty.</summary>
    public static Address? Address(XElement ad)
    {
        var address = new Address
        {
            Line = ad.Children("streetAddressLine").Select(l => l.Text()).OfType<string>().ToList(),
            City = ad.Child("city").Text(),
            State = ad.Child("state").Text(),
            PostalCode = ad.Child("postalCode").Text(),
            Country = ad.Child("country").Text(),
            District = ad.Child("county").Text(),
        };
        if (!address.Line.Any() && address.City is null && address.State is null && address.PostalCode is null && address.Country is null && address.District is null)
        {
            return null;
        }

        // PostalAddressUse (CDA R2): home, primary home and vacation home are home; work and direct are work.
        var uses = ad.Attr("use")?.Split(' ') ?? [];
        address.Use = uses.FirstOrDefault() switch
        {
            "H" or "HP" or "HV" => Hl7.Fhir.Model.Address.AddressUse.Home,
            "WP" or "DIR" or "PUB" => Hl7.Fhir.Model.Address.AddressUse.Work,
            "TMP" => Hl7.Fhir.Model.Address.AddressUse.Temp,
            "OLD" or "BAD" => Hl7.Fhir.Model.Address.AddressUse.Old,
            _ => null,
        };
        if (uses.Contains("PST"))
        {
            address.Type = Hl7.Fhir.Model.Address.AddressType.Postal;
        }

        return address;
    }

    /// <summary>TEL: a URL whose scheme says the system (tel:, fax:, mailto:, http:), the use attribute the use.</summary>
    public static ContactPoint? Telecom(XElement tel)
    {
        var value = tel.Attr("value");
        if (value is null)
        {
            return null;
        }

        var colon = value.IndexOf(':', StringComparison.Ordinal);
        var scheme = colon > 0 ? value[..colon].ToLowerInvariant() : string.Empty;
        var rest = colon > 0 ? value[(colon + 1)..].Trim() : value;
        var contact = new ContactPoint
        {
            System = scheme switch
            {
                "tel" => ContactPoint.ContactPointSystem.Phone,
                "fax" => ContactPoint.ContactPointSystem.Fax,
                "mailto" => ContactPoint.ContactPointSystem.Email,
                "http" or "https" => ContactPoint.ContactPointSystem.Url,
                _ => ContactPoint.ContactPointSystem.Other,
            },
            Value = scheme is "http" or "https" ? value : rest,
        };
        if (contact.Value.Length == 0)
        {
            return null;
        }

        // TelecommunicationAddressUse (CDA R2).
        switch (tel.Attr("use")?.Split(' ')[0])
        {
            case "H" or "HP" or "HV":
                contact.Use = ContactPoint.ContactPointUse.Home;
                break;
            case "WP" or "DIR" or "PUB":
                contact.Use = ContactPoint.ContactPointUse.Work;
                break;
            case "MC":
                contact.Use = ContactPoint.ContactPointUse.Mobile;
                break;
            case "TMP":
                contact.Use = ContactPoint.ContactPointUse.Temp;
                break;
            case "PG":
                contact.System = ContactPoint.ContactPointSystem.Pager;
                break;
        }

        return contact;
    }

    [GeneratedRegex(@"^[0-2](\.(0|[1-9][0-9]*))+$", RegexOptions.CultureInvariant)]
    private static partial Regex OidPattern();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex WhiteSpace();
}
