using System.Xml.Linq;
using Hl7.Fhir.Model;

namespace Fhir.Phr.Import.Ccda;

/// <summary>recordTarget/patientRole (CDA R2, C-CDA R2.1 US Realm Header) as a FHIR R4 Patient.</summary>
internal static class CcdaPatientMapper
{
    public const string BirthTimeExtension = "http://hl7.org/fhir/StructureDefinition/patient-birthTime";
    public const string NullFlavorSystem = "http://terminology.hl7.org/CodeSystem/v3-NullFlavor";

    public static Patient Map(XElement patientRole, CcdaConversion conversion)
    {
        var patient = new Patient();
        foreach (var id in patientRole.Children("id"))
        {
            if (CcdaDataTypes.Identifier(id, conversion) is { } identifier)
            {
                patient.Identifier.Add(identifier);
            }
        }

        if (patient.Identifier.Count == 0)
        {
            conversion.Report(CcdaIssueCode.MissingPatientIdentifier, CcdaIssueSeverity.Warning,
                "patientRole has no id; the Patient cannot be matched by identifier", patientRole);
        }

        patient.Address.AddRange(patientRole.Children("addr").Select(CcdaDataTypes.Address).OfType<Address>());
        patient.Telecom.AddRange(patientRole.Children("telecom").Select(CcdaDataTypes.Telecom).OfType<ContactPoint>());
        var person = patientRole.Child("patient");
        patient.Name.AddRange(person.Children("name").Select(CcdaDataTypes.Name).OfType<HumanName>());
        if (patient.Name.Count == 0)
        {
            conversion.Report(CcdaIssueCode.MissingPatientName, CcdaIssueSeverity.Warning,
                "patient has no name with a given or family part; the Patient has no name", person ?? patientRole);
        }

        AddGender(patient, person.Child("administrativeGenderCode"), conversion);
        AddBirth(patient, person.Child("birthTime"), conversion);
        AddDeceased(patient, person, conversion);
        AddMaritalStatus(patient, person.Child("maritalStatusCode"));
        foreach (var communication in person.Children("languageCommunication"))
        {
            if (communication.Child("languageCode").Attr("code") is { } language)
            {
                patient.Communication.Add(new Patient.CommunicationComponent
                {
                    Language = new CodeableConcept("urn:ietf:bcp:47", language),
                    Preferred = communication.Child("preferenceInd").Attr("value") is { } preferred ? preferred == "true" : null,
                });
            }
        }

        if (patientRole.Child("providerOrganization") is { } organization)
        {
            patient.ManagingOrganization = CcdaToFhir.OrganizationReference(organization, conversion);
        }

        return patient;
    }

    /// <summary>AdministrativeGender (CDA R2): M, F and UN (undifferentiated); a nullFlavor means the gender is not known.</summary>
    private static void AddGender(Patient patient, XElement? code, CcdaConversion conversion)
    {
        if (code is null)
        {
            return;
        }

        var value = code.Attr("code");
        patient.Gender = value switch
        {
            "M" => AdministrativeGender.Male,
            "F" => AdministrativeGender.Female,
            "UN" => AdministrativeGender.Other,
            null when code.Attr("nullFlavor") is not null => AdministrativeGender.Unknown,
            _ => null,
        };
        if (patient.Gender is null && value is not null)
        {
            conversion.Report(CcdaIssueCode.UnknownGender, CcdaIssueSeverity.Warning,
                $"administrativeGenderCode '{value}' is not M, F or UN; gender left out", code);
        }
    }

    private static void AddBirth(Patient patient, XElement? birthTime, CcdaConversion conversion)
    {
        if (conversion.Time(birthTime) is not { } birth)
        {
            return;
        }

        patient.BirthDateElement = new Date(birth.ToFhirDate());
        if (birth.HasTime)
        {
            patient.BirthDateElement.SetExtension(BirthTimeExtension,
                new FhirDateTime(birth.ToFhirDateTime(conversion.OffsetFor(birth, birthTime!))));
        }
    }

    /// <summary>The SDTC extensions sdtc:deceasedInd and sdtc:deceasedTime (C-CDA R2.1 US Realm Header).</summary>
    private static void AddDeceased(Patient patient, XElement? person, CcdaConversion conversion)
    {
        if (conversion.DateTime(person?.Element(CcdaDataTypes.Sdtc + "deceasedTime")) is { } time)
        {
            patient.Deceased = time;
        }
        else if (person?.Element(CcdaDataTypes.Sdtc + "deceasedInd").Attr("value") is { } indicator && indicator is "true" or "false")
        {
            patient.Deceased = new FhirBoolean(indicator == "true");
        }
    }

    /// <summary>MaritalStatus (CDA R2, 2.16.840.1.113883.5.2) is the code system of FHIR's marital-status value set, so codes carry over.</summary>
    private static void AddMaritalStatus(Patient patient, XElement? code)
    {
        patient.MaritalStatus = CcdaDataTypes.Concept(code)
            ?? (code.Attr("nullFlavor") is { } nullFlavor ? new CodeableConcept(NullFlavorSystem, nullFlavor) : null);
    }
}
