using Hl7.Fhir.Model;

namespace Fhir.Phr.Import.Hl7v2;

/// <summary>PID (HL7 v2.5.1 3.4.2) as a FHIR R4 Patient.</summary>
internal static class Hl7PatientMapper
{
    public const string BirthTimeExtension = "http://hl7.org/fhir/StructureDefinition/patient-birthTime";
    public const string MaritalStatusSystem = "http://terminology.hl7.org/CodeSystem/v3-MaritalStatus";
    public const string NullFlavorSystem = "http://terminology.hl7.org/CodeSystem/v3-NullFlavor";

    public static Patient Map(Hl7Segment pid, Hl7Conversion conversion)
    {
        var patient = new Patient();
        AddIdentifiers(patient, pid, conversion);
        foreach (var number in (ReadOnlySpan<int>)[5, 9])
        {
            foreach (var repetition in pid.Field(number).Repetitions())
            {
                if (Hl7DataTypes.Name(repetition) is { } name)
                {
                    patient.Name.Add(name);
                }
            }
        }

        if (patient.Name.Count == 0)
        {
            conversion.Report(Hl7IssueCode.MissingPatientName, Hl7IssueSeverity.Warning,
                "PID-5 has no family or given name; the Patient has no name", pid, 5);
        }

        AddBirthDate(patient, pid, conversion);
        AddGender(patient, pid, conversion);
        foreach (var repetition in pid.Field(11).Repetitions())
        {
            if (Hl7DataTypes.Address(repetition) is { } address)
            {
                patient.Address.Add(address);
            }
        }

        // PID-13 is the home number and PID-14 the business number unless XTN.2 says otherwise.
        foreach (var (number, use) in new[] { (13, ContactPoint.ContactPointUse.Home), (14, ContactPoint.ContactPointUse.Work) })
        {
            foreach (var repetition in pid.Field(number).Repetitions())
            {
                if (Hl7DataTypes.Telecom(repetition, use) is { } telecom)
                {
                    patient.Telecom.Add(telecom);
                }
            }
        }

        AddLanguage(patient, pid);
        AddMaritalStatus(patient, pid, conversion);
        AddDeceased(patient, pid, conversion);
        return patient;
    }

    private static void AddIdentifiers(Patient patient, Hl7Segment pid, Hl7Conversion conversion)
    {
        // PID-2 was the external id before v2.3.1 moved it into PID-3; read it only when PID-3 is empty.
        var number = pid.Field(3).IsEmpty && !pid.Field(2).IsEmpty ? 2 : 3;
        foreach (var repetition in pid.Field(number).Repetitions())
        {
            if (Hl7DataTypes.Identifier(repetition, conversion, pid, number) is { } identifier)
            {
                patient.Identifier.Add(identifier);
            }
        }

        if (patient.Identifier.Count == 0)
        {
            conversion.Report(Hl7IssueCode.MissingPatientIdentifier, Hl7IssueSeverity.Warning,
                "PID-3 has no identifier; the Patient cannot be matched by identifier", pid, 3);
        }
    }

    private static void AddBirthDate(Patient patient, Hl7Segment pid, Hl7Conversion conversion)
    {
        if (!Hl7DataTypes.TryDateTime(pid.Field(7), conversion, pid, 7, out var birth))
        {
            return;
        }

        patient.BirthDateElement = new Date(birth.ToFhirDate());
        if (birth.HasTime)
        {
            patient.BirthDateElement.SetExtension(BirthTimeExtension,
                new FhirDateTime(birth.ToFhirDateTime(conversion.OffsetFor(birth, pid, 7))));
        }
    }

    /// <summary>Table 0001 to administrative-gender: ambiguous (A) and not applicable (N) are neither male nor female, so other.</summary>
    private static void AddGender(Patient patient, Hl7Segment pid, Hl7Conversion conversion)
    {
        var code = Hl7DataTypes.Clean(pid.Field(8).Value);
        patient.Gender = code.ToUpperInvariant() switch
        {
            "" => null,
            "M" => AdministrativeGender.Male,
            "F" => AdministrativeGender.Female,
            "O" or "A" or "N" => AdministrativeGender.Other,
            "U" => AdministrativeGender.Unknown,
            _ => null,
        };
        if (patient.Gender is null && code.Length > 0)
        {
            conversion.Report(Hl7IssueCode.UnknownGender, Hl7IssueSeverity.Warning,
                $"PID-8 '{code}' is not in table 0001; gender left out", pid, 8);
        }
    }

    /// <summary>PID-15 (table 0296, user-defined); ISO 639 / BCP 47 codes are recognised by shape.</summary>
    private static void AddLanguage(Patient patient, Hl7Segment pid)
    {
        var field = pid.Field(15).Repetition(0);
        var code = Hl7DataTypes.Clean(field.Component(1).Value);
        var system = Hl7DataTypes.Clean(field.Component(3).Value);
        var bcp47 = system.Length == 0 && (code.Length is 2 or 3 || (code.Length > 3 && code[2] == '-'));
        if (Hl7DataTypes.Concept(field, bcp47 ? "urn:ietf:bcp:47" : null) is { } language)
        {
            patient.Communication.Add(new Patient.CommunicationComponent { Language = language });
        }
    }

    /// <summary>Table 0002 to v3-MaritalStatus (R4 valueset-marital-status.html).</summary>
    private static void AddMaritalStatus(Patient patient, Hl7Segment pid, Hl7Conversion conversion)
    {
        var field = pid.Field(16).Repetition(0);
        var code = Hl7DataTypes.Clean(field.Component(1).Value).ToUpperInvariant();
        if (code.Length == 0)
        {
            return;
        }

        var (system, mapped, display) = code switch
        {
            "M" => (MaritalStatusSystem, "M", "Married"),
            "S" => (MaritalStatusSystem, "S", "Never Married"),
            "D" => (MaritalStatusSystem, "D", "Divorced"),
            "W" => (MaritalStatusSystem, "W", "Widowed"),
            "A" or "E" => (MaritalStatusSystem, "L", "Legally Separated"),
            "N" => (MaritalStatusSystem, "A", "Annulled"),
            "I" => (MaritalStatusSystem, "I", "Interlocutory"),
            "C" => (MaritalStatusSystem, "C", "Common Law"),
            "P" or "R" or "G" => (MaritalStatusSystem, "T", "Domestic partner"),
            "B" => (MaritalStatusSystem, "U", "unmarried"),
            "U" or "T" => (NullFlavorSystem, "UNK", "unknown"),
            _ => (null, null, null),
        };
        if (mapped is null)
        {
            conversion.Report(Hl7IssueCode.UnknownMaritalStatus, Hl7IssueSeverity.Warning,
                $"PID-16 '{code}' is not in table 0002; kept as text", pid, 16);
            patient.MaritalStatus = new CodeableConcept { Text = Hl7DataTypes.NullIfEmpty(Hl7DataTypes.Clean(field.Component(2).Value)) ?? code };
            return;
        }

        patient.MaritalStatus = new CodeableConcept(system, mapped, display, Hl7DataTypes.NullIfEmpty(Hl7DataTypes.Clean(field.Component(2).Value)));
    }

    private static void AddDeceased(Patient patient, Hl7Segment pid, Hl7Conversion conversion)
    {
        if (Hl7DataTypes.TryDateTime(pid.Field(29), conversion, pid, 29, out var death))
        {
            patient.Deceased = new FhirDateTime(death.ToFhirDateTime(conversion.OffsetFor(death, pid, 29)));
            return;
        }

        patient.Deceased = Hl7DataTypes.Clean(pid.Field(30).Value).ToUpperInvariant() switch
        {
            "Y" => new FhirBoolean(true),
            "N" => new FhirBoolean(false),
            _ => null,
        };
    }
}
