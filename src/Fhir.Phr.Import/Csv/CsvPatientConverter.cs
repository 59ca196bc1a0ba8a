using System.Globalization;
using Hl7.Fhir.Model;

namespace Fhir.Phr.Import.Csv;

/// <summary>Patient rosters (one patient per row) to FHIR R4 Patients. Pure: no I/O beyond reading the stream, nothing thrown for bad content.</summary>
public static class CsvPatientConverter
{
    private static readonly (CsvColumn[] AnyOf, string Description)[] Required =
    [
        ([CsvColumn.Identifier], "the patient identifier (mrn, patient id, medical record number)"),
        ([CsvColumn.Family, CsvColumn.Given, CsvColumn.FullName], "the name (last name, surname, family, first name, given, name)"),
    ];

    /// <summary>
    /// Reads a roster. Every row either becomes a Patient with an identifier and a name (the PHR profile requires both) or is
    /// reported as an error issue with its line; a file without a usable header yields one issue and no resources.
    /// </summary>
    public static CsvConversionResult Convert(Stream csv, CsvImportOptions options)
    {
        ArgumentNullException.ThrowIfNull(csv);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Source);

        var issues = new List<CsvIssue>();
        var resources = new List<Resource>();
        var table = CsvTable.Read(csv, issues);
        var layout = CsvLayout.TryBind(table, CsvColumnNames.PatientHeaders, options.Mapping, Required, issues);
        if (layout is null)
        {
            return new CsvConversionResult(resources, issues);
        }

        var system = options.EffectiveIdentifierSystem;
        var firstLineOf = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var record in table.Records.Skip(1))
        {
            if (layout.Accepts(record, issues) && TryConvertRow(record, layout, options, system, issues) is { } patient)
            {
                var value = layout.Get(record, CsvColumn.Identifier);

                // The id comes from the identifier, so a second row with it would overwrite the first; a person must choose.
                if (firstLineOf.TryGetValue(value, out var first))
                {
                    issues.Add(Reject(CsvIssueCode.DuplicateIdentifier, record, layout, CsvColumn.Identifier,
                        $"identifier '{value}' was already given on line {first}"));
                    continue;
                }

                firstLineOf[value] = record.Line;
                CsvProvenance.Stamp(patient, options.Source, $"{system}|{value}");
                resources.Add(patient);
            }
        }

        return new CsvConversionResult(resources, issues);
    }

    private static Patient? TryConvertRow(CsvRecord record, CsvLayout layout, CsvImportOptions options, string system, List<CsvIssue> issues)
    {
        var identifier = layout.Get(record, CsvColumn.Identifier);
        if (identifier.Length == 0)
        {
            issues.Add(Reject(CsvIssueCode.MissingIdentifier, record, layout, CsvColumn.Identifier, "the row has no patient identifier"));
            return null;
        }

        var family = layout.Get(record, CsvColumn.Family);
        var given = layout.Get(record, CsvColumn.Given);
        var middle = layout.Get(record, CsvColumn.Middle);
        var fullName = layout.Get(record, CsvColumn.FullName);
        if (family.Length == 0 && given.Length == 0 && middle.Length == 0)
        {
            if (fullName.Length == 0)
            {
                var column = new[] { CsvColumn.Family, CsvColumn.Given, CsvColumn.FullName }.First(layout.Has);
                issues.Add(Reject(CsvIssueCode.MissingName, record, layout, column, "the row has neither a family nor a given name"));
                return null;
            }

            // "Family, Given" says which part is which; without a comma the order is unknown (Hungarian and many East Asian
            // names put the family name first, and family names can have several words), so the name is kept whole as text.
            var comma = fullName.IndexOf(',', StringComparison.Ordinal);
            if (comma > 0 && fullName[(comma + 1)..].Trim() is { Length: > 0 } afterComma)
            {
                family = fullName[..comma].Trim();
                given = afterComma;
            }
        }

        string? birthDate = null;
        var birthText = layout.Get(record, CsvColumn.BirthDate);
        if (birthText.Length > 0)
        {
            if (!CsvDates.TryParseDate(birthText, options.DateOrder, options.Mapping?.DateFormat, out var date))
            {
                issues.Add(Reject(CsvIssueCode.InvalidDate, record, layout, CsvColumn.BirthDate, $"'{birthText}' is not a valid birth date"));
                return null;
            }

            birthDate = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }

        AdministrativeGender? gender = null;
        var genderText = layout.Get(record, CsvColumn.Gender);
        if (genderText.Length > 0)
        {
            gender = ParseGender(genderText);
            if (gender is null)
            {
                issues.Add(Reject(CsvIssueCode.InvalidGender, record, layout, CsvColumn.Gender,
                    $"'{genderText}' is not a sex or gender (M, F, O, U, male, female, other, unknown)"));
                return null;
            }
        }

        var patient = new Patient { BirthDate = birthDate, Gender = gender };
        patient.Identifier.Add(new Identifier(system, identifier)
        {
            Type = new CodeableConcept { Coding = [new Coding("http://terminology.hl7.org/CodeSystem/v2-0203", "MR", "Medical record number")] },
        });

        var name = new HumanName { Use = HumanName.NameUse.Official, Family = NullIfEmpty(family), Text = NullIfEmpty(fullName) };
        name.Given = new[] { given, middle }.Where(g => g.Length > 0).ToList();
        patient.Name.Add(name);

        var phone = layout.Get(record, CsvColumn.Phone);
        if (phone.Length > 0)
        {
            patient.Telecom.Add(new ContactPoint(ContactPoint.ContactPointSystem.Phone, null, phone));
        }

        var email = layout.Get(record, CsvColumn.Email);
        if (email.Length > 0)
        {
            patient.Telecom.Add(new ContactPoint(ContactPoint.ContactPointSystem.Email, null, email));
        }

        var address = new Address
        {
            Line = new[] { layout.Get(record, CsvColumn.AddressLine1), layout.Get(record, CsvColumn.AddressLine2) }.Where(l => l.Length > 0).ToList(),
            City = NullIfEmpty(layout.Get(record, CsvColumn.City)),
            State = NullIfEmpty(layout.Get(record, CsvColumn.State)),
            PostalCode = NullIfEmpty(layout.Get(record, CsvColumn.PostalCode)),
            Country = NullIfEmpty(layout.Get(record, CsvColumn.Country)),
        };
        if (address.Line.Any() || address.City is not null || address.State is not null || address.PostalCode is not null || address.Country is not null)
        {
            patient.Address.Add(address);
        }

        return patient;
    }

    private static AdministrativeGender? ParseGender(string text) => text.ToUpperInvariant() switch
    {
        "M" or "MALE" => AdministrativeGender.Male,
        "F" or "FEMALE" => AdministrativeGender.Female,
        "O" or "OTHER" => AdministrativeGender.Other,
        "U" or "UNKNOWN" => AdministrativeGender.Unknown,
        _ => null,
    };

    private static string? NullIfEmpty(string value) => value.Length > 0 ? value : null;

    private static CsvIssue Reject(CsvIssueCode code, CsvRecord record, CsvLayout layout, CsvColumn column, string message) =>
        new(code, CsvIssueSeverity.Error, record.Line, layout.HeaderOf(column), message);
}
