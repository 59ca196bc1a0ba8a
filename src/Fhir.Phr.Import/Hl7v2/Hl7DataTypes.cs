using System.Text.RegularExpressions;
using Hl7.Fhir.Model;

namespace Fhir.Phr.Import.Hl7v2;

/// <summary>HL7 v2 composite data types (HL7 v2.5.1 2.A) as FHIR R4 data types.</summary>
internal static partial class Hl7DataTypes
{
    public const string V2IdentifierTypeSystem = "http://terminology.hl7.org/CodeSystem/v2-0203";
    public const string AssignerPrefix = "urn:hl7v2:assigner:";
    public const string CodeSystemPrefix = "urn:hl7v2:codesystem:";

    /// <summary>HL7 v2.5.1 chapter 2: a field valued "" is an explicit null (delete the value), which for a new resource means absent.</summary>
    public static string Clean(string value) => value == "\"\"" ? string.Empty : value.Trim();

    /// <summary>
    /// CX (HL7 v2.5.1 2.A): CX.1 value; system from CX.4 assigning authority; type from CX.5 (table 0203).
    /// Null when CX.1 is empty.
    /// </summary>
    public static Identifier? Identifier(Hl7Repetition cx, Hl7Conversion conversion, Hl7Segment segment, int field)
    {
        var value = Clean(cx.Component(1).Value);
        if (value.Length == 0)
        {
            return null;
        }

        var authority = cx.Component(4);
        var namespaceId = Clean(authority.SubComponent(1));
        var identifier = new Identifier
        {
            Value = value,
            System = IdentifierSystem(namespaceId, Clean(authority.SubComponent(2)), Clean(authority.SubComponent(3))),
        };
        if (identifier.System is null)
        {
            conversion.Report(Hl7IssueCode.IdentifierWithoutSystem, Hl7IssueSeverity.Warning,
                $"identifier '{value}' has no assigning authority (CX.4); it has no system", segment, field);
        }

        if (namespaceId.Length > 0)
        {
            identifier.Assigner = new ResourceReference { Display = namespaceId };
        }

        var type = Clean(cx.Component(5).Value);
        if (type.Length > 0)
        {
            identifier.Type = new CodeableConcept(V2IdentifierTypeSystem, type);
        }

        return identifier;
    }

    /// <summary>
    /// An identifier system from an HD or EI (HL7 v2.5.1 2.A): the universal id when its type says
    /// how to read it (ISO -> urn:oid:, URI, UUID -> urn:uuid:); otherwise a stable URN built from
    /// the namespace id, so the same assigner always yields the same system.
    /// </summary>
    public static string? IdentifierSystem(string namespaceId, string universalId, string universalIdType)
    {
        if (universalId.Length > 0)
        {
            switch (universalIdType.ToUpperInvariant())
            {
                case "ISO" when OidPattern().IsMatch(universalId):
                    return "urn:oid:" + universalId;
                case "ISO" when universalId.StartsWith("urn:oid:", StringComparison.OrdinalIgnoreCase) && OidPattern().IsMatch(universalId[8..]):
                    return "urn:oid:" + universalId[8..];
                case "URI" when Uri.TryCreate(universalId, UriKind.Absolute, out _) && !universalId.Contains(' ', StringComparison.Ordinal):
                    return universalId;
                case "UUID" when Guid.TryParse(universalId, out var uuid):
                    return "urn:uuid:" + uuid.ToString("D");
            }
        }

        var name = namespaceId.Length > 0 ? namespaceId : universalId;
        return name.Length > 0 ? AssignerPrefix + Uri.EscapeDataString(name) : null;
    }

    /// <summary>
    /// CE/CWE (HL7 v2.5.1 2.A): identifier, text, coding system, then the alternate triplet. The
    /// coding system is one of table 0396's names; those FHIR knows map to their canonical URL.
    /// </summary>
    public static CodeableConcept? Concept(Hl7Repetition ce, string? defaultSystem)
    {
        var concept = new CodeableConcept();
        for (var first = 1; first <= 4; first += 3)
        {
            var code = Clean(ce.Component(first).Value);
            var display = Clean(ce.Component(first + 1).Value);
            if (code.Length > 0)
            {
                var name = Clean(ce.Component(first + 2).Value);
                var coding = new Coding(name.Length > 0 ? CodeSystem(name) : defaultSystem, code);
                if (display.Length > 0)
                {
                    coding.Display = display;
                }

                concept.Coding.Add(coding);
            }

            if (first == 1 && display.Length > 0)
            {
                concept.Text = display;
            }
        }

        return concept.Coding.Count > 0 || concept.Text is not null ? concept : null;
    }

    /// <summary>HL7 v2.5.1 table 0396 names to FHIR code system URLs (R4 terminologies-systems.html).</summary>
    public static string CodeSystem(string name) => name.ToUpperInvariant() switch
    {
        "LN" => "http://loinc.org",
        "SCT" or "SNOMEDCT" => "http://snomed.info/sct",
        "UCUM" => "http://unitsofmeasure.org",
        "I10" => "http://hl7.org/fhir/sid/icd-10",
        "I10C" => "http://hl7.org/fhir/sid/icd-10-cm",
        "RXNORM" => "http://www.nlm.nih.gov/research/umls/rxnorm",
        "ISO639" => "urn:ietf:bcp:47",
        var table when table.Length == 7 && table.StartsWith("HL7", StringComparison.Ordinal) && table[3..].All(char.IsAsciiDigit)
            => "http://terminology.hl7.org/CodeSystem/v2-" + table[3..],
        _ => CodeSystemPrefix + Uri.EscapeDataString(name),
    };

    /// <summary>XPN (HL7 v2.5.1 2.A). Null when it has neither family nor given name.</summary>
    public static HumanName? Name(Hl7Repetition xpn)
    {
        var name = new HumanName();
        var family = Clean(xpn.Component(1).SubComponent(1));
        if (family.Length > 0)
        {
            name.Family = family;
        }

        var given = new List<string>();
        foreach (var part in new[] { Clean(xpn.Component(2).Value), Clean(xpn.Component(3).Value) })
        {
            given.AddRange(part.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }

        if (name.Family is null && given.Count == 0)
        {
            return null;
        }

        name.Given = given;
        var suffix = Clean(xpn.Component(4).Value);
        if (suffix.Length > 0)
        {
            name.Suffix = [suffix];
        }

        var degree = Clean(xpn.Component(6).Value);
        if (degree.Length > 0)
        {
            name.Suffix = [.. name.Suffix, degree];
        }

        var prefix = Clean(xpn.Component(5).Value);
        if (prefix.Length > 0)
        {
            name.Prefix = [prefix];
        }

        // Table 0200 name type.
        name.Use = Clean(xpn.Component(7).Value).ToUpperInvariant() switch
        {
            "L" => HumanName.NameUse.Official,
            "D" => HumanName.NameUse.Usual,
            "M" => HumanName.NameUse.Maiden,
            "N" => HumanName.NameUse.Nickname,
            "A" => HumanName.NameUse.Anonymous,
            "T" => HumanName.NameUse.Temp,
            _ => null,
        };
        return name;
    }

    /// <summary>XAD (HL7 v2.5.1 2.A). Null when every part is empty.</summary>
    public static Address? Address(Hl7Repetition xad)
    {
        var address = new Address();
        var lines = new[] { Clean(xad.Component(1).SubComponent(1)), Clean(xad.Component(2).Value) }.Where(l => l.Length > 0).ToList();
        if (lines.Count > 0)
        {
            address.Line = lines;
        }

        address.City = NullIfEmpty(Clean(xad.Component(3).Value));
        address.State = NullIfEmpty(Clean(xad.Component(4).Value));
        address.PostalCode = NullIfEmpty(Clean(xad.Component(5).Value));
        address.Country = NullIfEmpty(Clean(xad.Component(6).Value));
        address.District = NullIfEmpty(Clean(xad.Component(9).Value));
        if (lines.Count == 0 && address.City is null && address.State is null && address.PostalCode is null && address.Country is null && address.District is null)
        {
            return null;
        }

        // Table 0190 address type.
        switch (Clean(xad.Component(7).Value).ToUpperInvariant())
        {
            case "H" or "P":
                address.Use = Hl7.Fhir.Model.Address.AddressUse.Home;
                break;
            case "B" or "O":
                address.Use = Hl7.Fhir.Model.Address.AddressUse.Work;
                break;
            case "C":
                address.Use = Hl7.Fhir.Model.Address.AddressUse.Temp;
                break;
            case "BA":
                address.Use = Hl7.Fhir.Model.Address.AddressUse.Old;
                break;
            case "M":
                address.Type = Hl7.Fhir.Model.Address.AddressType.Postal;
                break;
        }

        return address;
    }

    /// <summary>
    /// XTN (HL7 v2.5.1 2.A). XTN.2 use (table 0201), XTN.3 equipment (table 0202); an e-mail address is in
    /// XTN.4 when XTN.3 is "Internet". Older senders put the whole number in XTN.1 only.
    /// </summary>
    public static ContactPoint? Telecom(Hl7Repetition xtn, ContactPoint.ContactPointUse defaultUse)
    {
        var useCode = Clean(xtn.Component(2).Value).ToUpperInvariant();
        var equipment = Clean(xtn.Component(3).Value).ToUpperInvariant();
        var contact = new ContactPoint();
        if (equipment is "INTERNET" or "X.400" || useCode == "NET")
        {
            contact.System = ContactPoint.ContactPointSystem.Email;
            contact.Value = NullIfEmpty(Clean(xtn.Component(4).Value)) ?? NullIfEmpty(Clean(xtn.Component(1).Value));
        }
        else
        {
            contact.System = equipment switch
            {
                "FX" => ContactPoint.ContactPointSystem.Fax,
                "BP" => ContactPoint.ContactPointSystem.Pager,
                _ => ContactPoint.ContactPointSystem.Phone,
            };
            contact.Value = NullIfEmpty(Clean(xtn.Component(1).Value)) ?? PhoneNumber(xtn);
        }

        if (contact.Value is null)
        {
            return null;
        }

        contact.Use = equipment == "CP" ? ContactPoint.ContactPointUse.Mobile : useCode switch
        {
            "PRN" or "ORN" or "VHN" => ContactPoint.ContactPointUse.Home,
            "WPN" => ContactPoint.ContactPointUse.Work,
            _ => defaultUse,
        };
        return contact;
    }

    private static string? PhoneNumber(Hl7Repetition xtn)
    {
        var country = Clean(xtn.Component(5).Value);
        var area = Clean(xtn.Component(6).Value);
        var local = Clean(xtn.Component(7).Value);
        var extension = Clean(xtn.Component(8).Value);
        if (local.Length == 0)
        {
            return null;
        }

        var number = string.Join(' ', new[] { country.Length > 0 ? "+" + country : string.Empty, area, local }.Where(p => p.Length > 0));
        return extension.Length > 0 ? $"{number} x{extension}" : number;
    }

    public static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    /// <summary>Reads a DTM field; an unreadable value is reported, an empty one is not.</summary>
    public static bool TryDateTime(Hl7Field field, Hl7Conversion conversion, Hl7Segment segment, int number, out Hl7DateTime value)
    {
        var text = Clean(field.Value);
        if (Hl7DateTime.TryParse(text, out value))
        {
            return true;
        }

        if (text.Length > 0)
        {
            conversion.Report(Hl7IssueCode.InvalidDateTime, Hl7IssueSeverity.Warning,
                $"'{text}' is not an HL7 date/time (YYYY[MM[DD[HHMM[SS[.S]]]]][+/-ZZZZ]); left out", segment, number);
        }

        return false;
    }

    [GeneratedRegex(@"^[0-2](\.(0|[1-9][0-9]*))+$", RegexOptions.CultureInvariant)]
    private static partial Regex OidPattern();
}
