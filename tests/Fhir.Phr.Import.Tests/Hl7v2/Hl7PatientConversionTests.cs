using Fhir.Phr.Import.Hl7v2;
using Hl7.Fhir.Model;

namespace Fhir.Phr.Import.Tests.Hl7v2;

public sealed class Hl7PatientConversionTests
{
    private const string Northwind = "urn:oid:2.16.840.1.113883.3.9999.1";

    /// <summary>file, first identifier (system, value, CX.5 type), first name (family, given joined by a space, use), birth date, gender.</summary>
    public static TheoryData<string, string?, string, string?, string, string, HumanName.NameUse?, string?, AdministrativeGender?> Patients => new()
    {
        { "adt-a01-basic.hl7", Northwind, "100001", "MR", "Lindqvist", "Maren Elise", HumanName.NameUse.Official, "1984-02-15", AdministrativeGender.Female },
        { "adt-a04-register.hl7", "https://clinic.example.org/patients", "A7731", "MR", "Baptiste", "Jean-Luc", HumanName.NameUse.Official, "1971-11-03", AdministrativeGender.Male },
        { "adt-a05-preadmit.hl7", Northwind, "200777", "MR", "Osei", "Kwame Kofi", HumanName.NameUse.Official, "2001-06-30", AdministrativeGender.Male },
        { "adt-a08-update.hl7", Northwind, "100002", "MR", "Novak", "Petra", HumanName.NameUse.Official, "1966-09-09", AdministrativeGender.Female },
        { "adt-a28-add-person.hl7", "urn:hl7v2:assigner:ST%20MARY%20HOSP", "P-000451", "PI", "Achterberg", "Sanne", HumanName.NameUse.Official, "1999-01-01", AdministrativeGender.Female },
        { "adt-a31-update-person.hl7", Northwind, "100003", "MR", "Fairweather", "Albert George", HumanName.NameUse.Official, "1938", AdministrativeGender.Male },
        { "adt-a03-discharge.hl7", Northwind, "100004", "MR", "Quist", "Hilde", HumanName.NameUse.Official, "1952-07", AdministrativeGender.Female },
        { "adt-a01-custom-delimiters.hl7", "urn:oid:2.16.840.1.113883.3.9999.2", "300001", "MR", "Brennan!Quill", "Aoife", HumanName.NameUse.Official, "1995-12-24", AdministrativeGender.Female },
        { "adt-a01-escapes.hl7", Northwind, "100008", "MR", "O\\Brien|Test", "Anne^Marie &", HumanName.NameUse.Official, "1988-08-08", AdministrativeGender.Female },
        { "adt-a01-zsegments.hl7", Northwind, "100009", "MR", "Kowalski", "Tomasz", HumanName.NameUse.Official, "1979-03-17", AdministrativeGender.Male },
        { "adt-a01-mllp.hl7", Northwind, "100010", "MR", "Haddad", "Youssef", HumanName.NameUse.Official, "1993-07-21", AdministrativeGender.Male },
        { "adt-a04-latin1.hl7", Northwind, "100011", "MR", "Lef\u00e8vre", "H\u00e9l\u00e8ne", HumanName.NameUse.Official, "1987-02-14", AdministrativeGender.Female },
        { "adt-a04-utf8.hl7", Northwind, "100012", "MR", "Gr\u00f6\u00dfer", "J\u00fcrgen", HumanName.NameUse.Official, "1977-06-06", AdministrativeGender.Male },
        { "adt-a08-unlabelled-latin1.hl7", Northwind, "100013", "MR", "Mu\u00f1oz", "In\u00e9s", HumanName.NameUse.Official, "1960-01-20", AdministrativeGender.Female },
        { "adt-a01-birthtime.hl7", Northwind, "100014", "MR", "Baby", "Girl", HumanName.NameUse.Official, "2026-03-12", AdministrativeGender.Female },
        { "adt-a01-v23-pid2.hl7", "urn:hl7v2:assigner:LEGACYHIS", "OLD-55120", null, "Pemberton", "Clive", HumanName.NameUse.Official, "1945-03-15", AdministrativeGender.Male },
        { "adt-a08-explicit-null.hl7", Northwind, "100015", "MR", "Abara", "Chidi", HumanName.NameUse.Official, null, AdministrativeGender.Unknown },
        { "adt-a40-merge.hl7", Northwind, "100005", "MR", "Demir", "Elif", HumanName.NameUse.Official, "1990-04-12", AdministrativeGender.Female },
        { "mdm-t02-text.hl7", Northwind, "100021", "MR", "Castellano", "Marta", HumanName.NameUse.Official, "1972-04-12", AdministrativeGender.Female },
        { "oru-r01-text.hl7", Northwind, "100022", "MR", "Ahmed", "Samir", HumanName.NameUse.Official, "1965-01-01", AdministrativeGender.Male },
    };

    [Theory]
    [MemberData(nameof(Patients))]
    public void Convert_Pid_MapsIdentifierNameBirthDateAndGender(
        string file, string? system, string value, string? type, string family, string given, HumanName.NameUse? use, string? birthDate, AdministrativeGender? gender)
    {
        var patient = Hl7Corpus.SinglePatient(file);

        var identifier = patient.Identifier[0];
        Assert.Equal(system, identifier.System);
        Assert.Equal(value, identifier.Value);
        Assert.Equal(type, identifier.Type?.Coding.Single().Code);
        if (type is not null)
        {
            Assert.Equal("http://terminology.hl7.org/CodeSystem/v2-0203", identifier.Type!.Coding[0].System);
        }

        var name = patient.Name[0];
        Assert.Equal(family, name.Family);
        Assert.Equal(given, string.Join(' ', name.Given));
        Assert.Equal(use, name.Use);
        Assert.Equal(birthDate, patient.BirthDate);
        Assert.Equal(gender, patient.Gender);
    }

    [Fact]
    public void Convert_A01Basic_MapsTelecomAddressLanguageAndMaritalStatus()
    {
        var patient = Hl7Corpus.SinglePatient("adt-a01-basic.hl7");

        Assert.Equal(2, patient.Identifier.Count);
        Assert.Equal(("urn:oid:2.16.840.1.113883.4.1", "555-44-3333", "SS"), (patient.Identifier[1].System, patient.Identifier[1].Value, patient.Identifier[1].Type.Coding[0].Code));
        Assert.Equal(["Ms"], patient.Name[0].Prefix);
        Assert.Collection(
            patient.Telecom,
            t => Assert.Equal((ContactPoint.ContactPointSystem.Phone, "+44 23 9284710", ContactPoint.ContactPointUse.Home), (t.System!.Value, t.Value, t.Use!.Value)),
            t => Assert.Equal((ContactPoint.ContactPointSystem.Email, "maren.lindqvist@example.org", ContactPoint.ContactPointUse.Home), (t.System!.Value, t.Value, t.Use!.Value)),
            t => Assert.Equal((ContactPoint.ContactPointSystem.Phone, "+44 23 9284999 x12", ContactPoint.ContactPointUse.Work), (t.System!.Value, t.Value, t.Use!.Value)));
        var address = Assert.Single(patient.Address);
        Assert.Equal(["12 Harbour Road", "Flat 2"], address.Line);
        Assert.Equal(("Portsmouth", "HAM", "PO1 3AX", "GBR", Address.AddressUse.Home), (address.City, address.State, address.PostalCode, address.Country, address.Use!.Value));
        var language = Assert.Single(patient.Communication).Language.Coding.Single();
        Assert.Equal(("urn:ietf:bcp:47", "en"), (language.System, language.Code));
        Assert.Equal(("http://terminology.hl7.org/CodeSystem/v3-MaritalStatus", "M"), (patient.MaritalStatus.Coding[0].System, patient.MaritalStatus.Coding[0].Code));
        Assert.Null(patient.Deceased);
    }

    [Fact]
    public void Convert_A08Update_MapsEveryNameUseAddressAndTelecomKind()
    {
        var patient = Hl7Corpus.SinglePatient("adt-a08-update.hl7");

        Assert.Equal([HumanName.NameUse.Official, HumanName.NameUse.Nickname, HumanName.NameUse.Maiden], patient.Name.Select(n => n.Use!.Value));
        Assert.Equal(["Dr"], patient.Name[0].Prefix);
        Assert.Equal(["PhD"], patient.Name[0].Suffix);
        Assert.Equal("Horvat", patient.Name[2].Family);
        Assert.Equal([Address.AddressUse.Home, Address.AddressUse.Work], patient.Address.Select(a => a.Use!.Value));
        Assert.Equal("Unit 5 Science Park", patient.Address[1].Line.Single());
        Assert.Collection(
            patient.Telecom,
            t => Assert.Equal((ContactPoint.ContactPointSystem.Phone, "+44 7700 900123", ContactPoint.ContactPointUse.Mobile), (t.System!.Value, t.Value, t.Use!.Value)),
            t => Assert.Equal((ContactPoint.ContactPointSystem.Email, "petra.novak@example.net"), (t.System!.Value, t.Value)),
            t => Assert.Equal((ContactPoint.ContactPointSystem.Fax, "+44 1904 555000", ContactPoint.ContactPointUse.Work), (t.System!.Value, t.Value, t.Use!.Value)));
        Assert.Equal("W", patient.MaritalStatus.Coding.Single().Code);
    }

    [Fact]
    public void Convert_A05_MapsSuffixAndMiddleName()
    {
        var name = Hl7Corpus.SinglePatient("adt-a05-preadmit.hl7").Name.Single();

        Assert.Equal(["Kwame", "Kofi"], name.Given);
        Assert.Equal(["Jr"], name.Suffix);
    }

    [Fact]
    public void Convert_Escapes_DecodeInAddress()
    {
        var address = Hl7Corpus.SinglePatient("adt-a01-escapes.hl7").Address.Single();

        Assert.Equal("Unit ~4, Dock Road\nRear", address.Line.Single());
        Assert.Equal("\\Z99\\", address.State);
    }

    [Fact]
    public void Convert_CustomDelimiters_DecodeEscapesWithTheirOwnEscapeCharacter()
    {
        var patient = Hl7Corpus.SinglePatient("adt-a01-custom-delimiters.hl7");

        Assert.Equal("22 Quay Street#Rear", patient.Address.Single().Line.Single());
        Assert.Equal(("urn:hl7v2:assigner:LAKESIDE", "300001-B", "AN"), (patient.Identifier[1].System, patient.Identifier[1].Value, patient.Identifier[1].Type.Coding[0].Code));
        Assert.Equal("urn:hl7v2:LAKESIDE", patient.Meta.Source);
    }

    [Fact]
    public void Convert_A28_MapsDutchLanguageAndDivorced()
    {
        var patient = Hl7Corpus.SinglePatient("adt-a28-add-person.hl7");

        Assert.Equal("nl", patient.Communication.Single().Language.Coding.Single().Code);
        Assert.Equal("Dutch", patient.Communication.Single().Language.Text);
        Assert.Equal("D", patient.MaritalStatus.Coding.Single().Code);
        Assert.Equal("ST MARY HOSP", patient.Identifier.Single().Assigner.Display);
    }

    [Fact]
    public void Convert_BirthTime_IsKeptAsPatientBirthTimeExtension()
    {
        var patient = Hl7Corpus.SinglePatient("adt-a01-birthtime.hl7");

        var extension = patient.BirthDateElement.GetExtension("http://hl7.org/fhir/StructureDefinition/patient-birthTime");
        Assert.Equal("2026-03-12T07:45:00+00:00", Assert.IsType<FhirDateTime>(extension.Value).Value);
        Assert.Equal("NB-2026-0042", patient.Identifier[1].Value);
    }

    [Fact]
    public void Convert_DeathDateTime_IsDeceasedDateTime()
    {
        var patient = Hl7Corpus.SinglePatient("adt-a31-update-person.hl7");

        Assert.Equal("2026-03-10T14:30:00+00:00", Assert.IsType<FhirDateTime>(patient.Deceased).Value);
    }

    [Fact]
    public void Convert_DeathIndicatorOnly_IsDeceasedBoolean()
    {
        var patient = Hl7Corpus.SinglePatient("adt-a03-discharge.hl7");

        Assert.True(Assert.IsType<FhirBoolean>(patient.Deceased).Value);
    }

    [Fact]
    public void Convert_ExplicitNulls_AreLeftOutWithoutIssues()
    {
        var result = Hl7Corpus.Convert("adt-a08-explicit-null.hl7");

        var patient = Assert.Single(result.Resources.OfType<Patient>());
        Assert.Empty(result.Issues);
        Assert.Empty(patient.Telecom);
        Assert.Empty(patient.Address);
        Assert.Null(patient.BirthDateElement);
        Assert.Equal(["Chidi"], patient.Name.Single().Given);
    }

    [Fact]
    public void Convert_NoIdentifier_ProducesPatientWithIssue()
    {
        var result = Hl7Corpus.Convert("adt-a01-no-identifier.hl7");

        var patient = Assert.Single(result.Resources.OfType<Patient>());
        Assert.Empty(patient.Identifier);
        Assert.Equal("Nakamura", patient.Name.Single().Family);
        var issue = Assert.Single(result.Issues);
        Assert.Equal((Hl7IssueCode.MissingPatientIdentifier, "PID", 3, 3), (issue.Code, issue.Segment, issue.SegmentPosition, issue.Field));
    }

    [Fact]
    public void Convert_A40_LinksSurvivorToMergedIdentifierWithoutIssues()
    {
        var result = Hl7Corpus.Convert("adt-a40-merge.hl7");

        Assert.Empty(result.Issues);
        var patient = Assert.Single(result.Resources.OfType<Patient>());
        var link = Assert.Single(patient.Link);
        Assert.Equal(Patient.LinkType.Replaces, link.Type);
        Assert.Null(link.Other.Reference);
        Assert.Equal((Northwind, "100099"), (link.Other.Identifier.System, link.Other.Identifier.Value));
    }

    [Fact]
    public void Convert_A40WithTwoPairs_LinksEachSurvivorToItsOwnMrg()
    {
        var result = Hl7Corpus.Convert("adt-a40-multiple-merge.hl7");

        Assert.Empty(result.Issues);
        var patients = result.Resources.OfType<Patient>().ToList();
        Assert.Equal(["100006", "100007"], patients.Select(p => p.Identifier[0].Value));
        Assert.Equal(["100097", "100098"], patients.Select(p => p.Link.Single().Other.Identifier.Value));
    }

    [Fact]
    public void Convert_A40WithoutMrg_ReportsError()
    {
        var message = Assert.Single(Parse("MSH|^~\\&|A|FAC|C|D|20260312||ADT^A40^ADT_A39|1|P|2.5.1\rPID|1||5^^^H^MR||Doe^Jo\r"));

        var result = Hl7v2ToFhir.Convert(message);

        Assert.False(result.Succeeded);
        Assert.Contains(result.Issues, i => i.Code == Hl7IssueCode.MissingMergeSegment && i.Severity == Hl7IssueSeverity.Error);
    }

    [Theory]
    [InlineData("M", AdministrativeGender.Male)]
    [InlineData("F", AdministrativeGender.Female)]
    [InlineData("O", AdministrativeGender.Other)]
    [InlineData("A", AdministrativeGender.Other)]
    [InlineData("N", AdministrativeGender.Other)]
    [InlineData("U", AdministrativeGender.Unknown)]
    [InlineData("f", AdministrativeGender.Female)]
    public void Convert_Gender_MapsTable0001(string code, AdministrativeGender expected)
    {
        var patient = ConvertPid($"PID|1||5^^^H^MR||Doe^Jo||19800101|{code}");

        Assert.Equal(expected, patient.Gender);
    }

    [Theory]
    [InlineData("S", "http://terminology.hl7.org/CodeSystem/v3-MaritalStatus", "S")]
    [InlineData("A", "http://terminology.hl7.org/CodeSystem/v3-MaritalStatus", "L")]
    [InlineData("P", "http://terminology.hl7.org/CodeSystem/v3-MaritalStatus", "T")]
    [InlineData("U", "http://terminology.hl7.org/CodeSystem/v3-NullFlavor", "UNK")]
    public void Convert_MaritalStatus_MapsTable0002(string code, string system, string expected)
    {
        var patient = ConvertPid($"PID|1||5^^^H^MR||Doe^Jo|||||||||||{code}");

        var coding = patient.MaritalStatus.Coding.Single();
        Assert.Equal((system, expected), (coding.System, coding.Code));
    }

    [Theory]
    [InlineData("5^^^H&1.2.840.10008&ISO^MR", "urn:oid:1.2.840.10008")]
    [InlineData("5^^^H&urn:oid:1.2.3&ISO^MR", "urn:oid:1.2.3")]
    [InlineData("5^^^H&not-an-oid&ISO^MR", "urn:hl7v2:assigner:H")]
    [InlineData("5^^^&http://example.org/mrn&URI^MR", "http://example.org/mrn")]
    [InlineData("5^^^&3F2504E0-4F89-11D3-9A0C-0305E82C3301&UUID^MR", "urn:uuid:3f2504e0-4f89-11d3-9a0c-0305e82c3301")]
    [InlineData("5^^^&hosp.example.org&DNS^MR", "urn:hl7v2:assigner:hosp.example.org")]
    [InlineData("5^^^Saint Jude^MR", "urn:hl7v2:assigner:Saint%20Jude")]
    public void Convert_AssigningAuthority_GivesIdentifierSystem(string cx, string expected)
    {
        var patient = ConvertPid($"PID|1||{cx}||Doe^Jo");

        Assert.Equal(expected, patient.Identifier.Single().System);
    }

    [Fact]
    public void Convert_IdentifierWithoutAuthority_HasNoSystemAndAnIssue()
    {
        var result = Hl7v2ToFhir.Convert(Assert.Single(Parse("MSH|^~\\&|A|FAC|C|D|20260312||ADT^A01|1|P|2.5.1\rPID|1||5^^^^MR||Doe^Jo\r")));

        Assert.Null(result.Resources.OfType<Patient>().Single().Identifier.Single().System);
        Assert.Equal(Hl7IssueCode.IdentifierWithoutSystem, Assert.Single(result.Issues).Code);
    }

    [Fact]
    public void Convert_InvalidBirthDate_IsLeftOutWithIssue()
    {
        var result = Hl7v2ToFhir.Convert(Assert.Single(Parse("MSH|^~\\&|A|FAC|C|D|20260312||ADT^A01|1|P|2.5.1\rPID|1||5^^^H^MR||Doe^Jo||19801332|X\r")));

        Assert.Null(result.Resources.OfType<Patient>().Single().BirthDate);
        Assert.Equal([Hl7IssueCode.InvalidDateTime, Hl7IssueCode.UnknownGender], result.Issues.Select(i => i.Code));
        Assert.Equal([7, 8], result.Issues.Select(i => i.Field));
    }

    [Fact]
    public void Convert_BirthTimeWithoutOffset_UsesSenderOffsetFromMsh7()
    {
        var patient = ConvertPid("PID|1||5^^^H^MR||Doe^Jo||200001021530", "20260312083000-0500");

        var extension = patient.BirthDateElement.GetExtension("http://hl7.org/fhir/StructureDefinition/patient-birthTime");
        Assert.Equal("2000-01-02T15:30:00-05:00", ((FhirDateTime)extension.Value).Value);
    }

    [Fact]
    public void Convert_AdtWithoutPid_ProducesNothingWithWarning()
    {
        var result = Hl7Corpus.Convert("adt-a20-no-pid.hl7");

        Assert.Empty(result.Resources);
        Assert.Equal((Hl7IssueCode.MissingPatientSegment, Hl7IssueSeverity.Warning), (result.Issues.Single().Code, result.Issues.Single().Severity));
    }

    [Fact]
    public void Convert_UnsupportedMessageType_ReportsError()
    {
        var result = Hl7Corpus.Convert("siu-s12-unsupported.hl7");

        Assert.Empty(result.Resources);
        Assert.False(result.Succeeded);
        Assert.Equal(Hl7IssueCode.UnsupportedMessageType, result.Issues.Single().Code);
    }

    [Fact]
    public void Convert_Batch_ConvertsEveryMessage()
    {
        var messages = Hl7Corpus.Parse("batch-adt.hl7");

        var patients = messages.Select(m => Hl7v2ToFhir.Convert(m).Resources.OfType<Patient>().Single()).ToList();

        Assert.Equal(["Sorensen", "Bakker", "Rossi"], patients.Select(p => p.Name[0].Family));
        Assert.Equal(["A01", "A08", "A31"], messages.Select(m => m.TriggerEvent));
    }

    [Fact]
    public void Convert_MllpStream_ConvertsBothFrames()
    {
        var messages = Hl7Corpus.Parse("mllp-stream.hl7");

        Assert.Equal(["100019", "100020"], messages.Select(m => Hl7v2ToFhir.Convert(m).Resources.OfType<Patient>().Single().Identifier[0].Value));
    }

    private static IReadOnlyList<Hl7Message> Parse(string text)
    {
        Assert.True(Hl7Parser.TryParse(text, out var messages, out var issues), string.Join("; ", issues));
        return messages;
    }

    private static Patient ConvertPid(string pid, string sent = "20260312083000") =>
        Hl7v2ToFhir.Convert(Assert.Single(Parse($"MSH|^~\\&|A|FAC|C|D|{sent}||ADT^A01|1|P|2.5.1\r{pid}\r"))).Resources.OfType<Patient>().Single();
}
