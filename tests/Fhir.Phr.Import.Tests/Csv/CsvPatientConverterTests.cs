using System.Text;
using Fhir.Phr.Import.Csv;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace Fhir.Phr.Import.Tests.Csv;

public sealed class CsvPatientConverterTests
{
    /// <summary>file, date order, mapping file, expected patients (see <see cref="CsvSamples.Summary(Patient)"/>), expected issues in order.</summary>
    public static TheoryData<string, CsvDateOrder, string?, string[], string[]> Files => new()
    {
        {
            "patients-comma-iso.csv", CsvDateOrder.DayFirst, null,
            [
                "100001|Lindqvist|Maren Elise|1984-02-15|Female",
                "100002|Baptiste|Jean-Luc|1971-11-03|Male",
                "100003|Smith, Jr.|Anne|2001-06-30|Unknown",
                "100004|Osei|Kwame Kofi||Other",
            ],
            []
        },
        {
            "patients-semicolon-bom-dayfirst.csv", CsvDateOrder.DayFirst, null,
            ["FR-7731|Lef\u00e8vre|H\u00e9l\u00e8ne|1987-02-14|Female", "DE-0042|Gr\u00f6\u00dfer|J\u00fcrgen|1977-04-03|Male"],
            []
        },
        {
            // The same file read as month-first: 14/02 cannot be a date, and the ambiguous 03/04 follows the option.
            "patients-semicolon-bom-dayfirst.csv", CsvDateOrder.MonthFirst, null,
            ["DE-0042|Gr\u00f6\u00dfer|J\u00fcrgen|1977-03-04|Male"],
            ["InvalidDate@2:date_of_birth"]
        },
        {
            "patients-tab-monthfirst.csv", CsvDateOrder.MonthFirst, null,
            ["US-1001|Johnson|Mary|1990-12-31|Female", "US-1002|Smith|Robert|1955-07-04|Male"],
            []
        },
        {
            "patients-latin1.csv", CsvDateOrder.DayFirst, null,
            ["ES-0001|Mu\u00f1oz|In\u00e9s|1960-01-20|Female", "ES-0002|Pe\u00f1a|Jos\u00e9|1958-10-02|Male"],
            ["EncodingAssumed@0:"]
        },
        {
            "patients-bad-rows.csv", CsvDateOrder.DayFirst, null,
            ["200001|Lovelace|Ada|1815-12-10|Female", "200007|Liskov|Barbara\nJane|1939-11-07|Female", "200010|Wirth|Niklaus|1934-02-15|Male"],
            [
                "MissingIdentifier@3:MRN",
                "MissingName@4:Family",
                "InvalidDate@5:DOB",
                "InvalidGender@6:Sex",
                "WrongColumnCount@8:",
                "DuplicateIdentifier@11:MRN",
                "MalformedQuoting@12:",
                "WrongColumnCount@13:",
                "InvalidDate@16:DOB",
            ]
        },
        {
            "patients-fullname-pipe.csv", CsvDateOrder.DayFirst, null,
            ["P-0001|Nakamura|Yuki|1992-09-09|Female", "P-0002|||1980-01-01|Female"],
            []
        },
        { "patients-no-header.csv", CsvDateOrder.DayFirst, null, [], ["NoUsableHeader@1:"] },
        { "patients-custom-layout.csv", CsvDateOrder.DayFirst, null, [], ["NoUsableHeader@1:"] },
        {
            "patients-custom-layout.csv", CsvDateOrder.DayFirst, "patients-custom-layout.mapping.json",
            ["H-55120|Pemberton|Clive Arthur|1945-03-15|Male", "H-55121|Achterberg|Sanne|1999-01-01|Female"],
            ["UnrecognisedColumn@1:Notes"]
        },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void Convert_SampleFile_ProducesExpectedPatientsAndIssues(string file, CsvDateOrder order, string? mapping, string[] patients, string[] issues)
    {
        var result = CsvSamples.Patients(file, CsvSamples.Options(order, mapping));

        Assert.Equal(patients, result.Resources.Cast<Patient>().Select(CsvSamples.Summary));
        Assert.Equal(issues, result.Issues.Select(CsvSamples.Summary));
    }

    [Fact]
    public void Convert_CommaFile_MapsIdentifierTelecomAddressAndProvenance()
    {
        var result = CsvSamples.Patients("patients-comma-iso.csv", CsvSamples.Options());

        var maren = (Patient)result.Resources[0];
        var identifier = maren.Identifier.Single();
        Assert.Equal("urn:fhir-phr:mrn:st-mary", identifier.System);
        Assert.Equal("MR", identifier.Type.Coding.Single().Code);
        Assert.Equal(HumanName.NameUse.Official, maren.Name.Single().Use);
        Assert.Equal(
            ["Phone:+1 555 0100", "Email:maren.lindqvist@example.org"],
            maren.Telecom.Select(t => $"{t.System}:{t.Value}"));
        var address = maren.Address.Single();
        Assert.Equal(["12 Harbour Road, Apt 4"], address.Line);
        Assert.Equal(("Springfield", "IL", "62701", "US"), (address.City, address.State, address.PostalCode, address.Country));
        Assert.Equal("urn:fhir-phr:csv:st-mary", maren.Meta.Source);
        var tag = maren.Meta.Tag.Single();
        Assert.Equal(("http://fhir-phr.dev/fhir/CodeSystem/converter", "csv"), (tag.System, tag.Code));
        Assert.Matches("^[0-9a-f]{32}$", maren.Id);

        var jeanLuc = (Patient)result.Resources[1];
        Assert.Equal(["221 Baker Street\r\nSecond Floor", "Rear entrance"], jeanLuc.Address.Single().Line);
        Assert.Equal(["Phone:555-0101"], jeanLuc.Telecom.Select(t => $"{t.System}:{t.Value}"));
        Assert.Empty(((Patient)result.Resources[3]).Address);
    }

    [Fact]
    public void Convert_SemicolonFile_KeepsUnquotedCommaAndDoubledQuotes()
    {
        var result = CsvSamples.Patients("patients-semicolon-bom-dayfirst.csv", CsvSamples.Options());

        Assert.Equal(["Rue de la Paix 5, bis"], ((Patient)result.Resources[0]).Address.Single().Line);
        Assert.Equal(["Hauptstra\u00dfe \"Alt\" 7"], ((Patient)result.Resources[1]).Address.Single().Line);
    }

    [Fact]
    public void Convert_CustomIdentifierSystem_UsesIt()
    {
        var options = CsvSamples.Options() with { IdentifierSystem = "https://st-mary.example.org/mrn" };

        var result = CsvSamples.Patients("patients-tab-monthfirst.csv", options);

        Assert.All(result.Resources.Cast<Patient>(), p => Assert.Equal("https://st-mary.example.org/mrn", p.Identifier.Single().System));
    }

    [Fact]
    public void Convert_SameFileTwice_YieldsSameIds_AndAnotherSourceOrSystemOtherIds()
    {
        var first = CsvSamples.Patients("patients-comma-iso.csv", CsvSamples.Options());
        var second = CsvSamples.Patients("patients-comma-iso.csv", CsvSamples.Options());
        var elsewhere = CsvSamples.Patients("patients-comma-iso.csv", CsvSamples.Options() with { Source = "city-clinic" });
        var otherSystem = CsvSamples.Patients("patients-comma-iso.csv", CsvSamples.Options() with { IdentifierSystem = "https://st-mary.example.org/mrn" });

        var ids = first.Resources.Select(r => r.Id).ToList();
        Assert.Equal(ids, second.Resources.Select(r => r.Id));
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Empty(ids.Intersect(elsewhere.Resources.Select(r => r.Id)));
        Assert.Empty(ids.Intersect(otherSystem.Resources.Select(r => r.Id)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\uFEFF")]
    [InlineData("\n\n")]
    public void Convert_EmptyFile_ReportsOneIssue(string text)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(text));

        var result = CsvPatientConverter.Convert(stream, CsvSamples.Options());

        Assert.Empty(result.Resources);
        Assert.Equal(["EmptyFile@0:"], result.Issues.Select(CsvSamples.Summary));
    }

    [Fact]
    public void Convert_HeaderOnly_ProducesNothingAndSaysNothing()
    {
        using var stream = new MemoryStream("mrn,first name,last name\n"u8.ToArray());

        var result = CsvPatientConverter.Convert(stream, CsvSamples.Options());

        Assert.Empty(result.Resources);
        Assert.Empty(result.Issues);
    }

    [Theory]
    [InlineData("MRN,Last_Name,FIRST NAME", "Doe", "Jane")]
    [InlineData("medical_record_number;family;given", "Doe", "Jane")]
    [InlineData("Patient ID\tSurname\tFirst", "Doe", "Jane")]
    public void Convert_HeaderSpellings_AreRecognised(string header, string family, string given)
    {
        var separator = header.Contains(';', StringComparison.Ordinal) ? ";" : header.Contains('\t', StringComparison.Ordinal) ? "\t" : ",";
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes($"{header}\nX-1{separator}{family}{separator}{given}\n"));

        var result = CsvPatientConverter.Convert(stream, CsvSamples.Options());

        Assert.Empty(result.Issues);
        Assert.Equal($"X-1|{family}|{given}||", CsvSamples.Summary(Assert.IsType<Patient>(Assert.Single(result.Resources))));
    }

    [Theory]
    [InlineData("2000-02-29", CsvDateOrder.DayFirst, "2000-02-29")]
    [InlineData("1999-02-29", CsvDateOrder.DayFirst, null)]
    [InlineData("05/06/2001", CsvDateOrder.DayFirst, "2001-06-05")]
    [InlineData("05/06/2001", CsvDateOrder.MonthFirst, "2001-05-06")]
    [InlineData("5.6.2001", CsvDateOrder.DayFirst, "2001-06-05")]
    [InlineData("12/13/2001", CsvDateOrder.MonthFirst, "2001-12-13")]
    [InlineData("12/13/2001", CsvDateOrder.DayFirst, null)]
    [InlineData("31/04/2001", CsvDateOrder.DayFirst, null)]
    [InlineData("2001/05/06", CsvDateOrder.DayFirst, null)]
    [InlineData("05/06-2001", CsvDateOrder.DayFirst, null)]
    [InlineData("yesterday", CsvDateOrder.DayFirst, null)]
    public void Convert_BirthDate_FollowsDateOrderAndRejectsImpossibleDates(string text, CsvDateOrder order, string? expected)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes($"mrn,family,dob\nX-1,Doe,{text}\n"));

        var result = CsvPatientConverter.Convert(stream, CsvSamples.Options(order));

        if (expected is null)
        {
            Assert.Empty(result.Resources);
            Assert.Equal(["InvalidDate@2:dob"], result.Issues.Select(CsvSamples.Summary));
        }
        else
        {
            Assert.Empty(result.Issues);
            Assert.Equal(expected, Assert.IsType<Patient>(Assert.Single(result.Resources)).BirthDate);
        }
    }

    [Theory]
    [InlineData("m", AdministrativeGender.Male)]
    [InlineData("FEMALE", AdministrativeGender.Female)]
    [InlineData("O", AdministrativeGender.Other)]
    [InlineData("unknown", AdministrativeGender.Unknown)]
    public void Convert_Gender_AcceptsLettersAndWords(string text, AdministrativeGender expected)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes($"mrn,given,sex\nX-1,Jane,{text}\n"));

        var result = CsvPatientConverter.Convert(stream, CsvSamples.Options());

        Assert.Equal(expected, Assert.IsType<Patient>(Assert.Single(result.Resources)).Gender);
    }

    [Fact]
    public void Convert_Utf16WithBom_IsDecoded()
    {
        var bytes = Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes("mrn,surname\nX-1,\u00c5str\u00f6m\n")).ToArray();
        using var stream = new MemoryStream(bytes);

        var result = CsvPatientConverter.Convert(stream, CsvSamples.Options());

        Assert.Equal("X-1|\u00c5str\u00f6m|||", CsvSamples.Summary(Assert.IsType<Patient>(Assert.Single(result.Resources))));
    }

    /// <summary>inline CSV, expected patient identifiers, expected issues: the row checks on small hand-made files.</summary>
    public static TheoryData<string, string[], string[]> Rows => new()
    {
        // An unterminated quote swallows the rest of the file: that one record is rejected, not guessed at.
        { "mrn,family\n1,Doe\n2,\"Roe\n3,Poe\n", ["1"], ["MalformedQuoting@3:"] },
        // A separator at the end of the header only, or of the rows only, is harmless.
        { "mrn,family,\n1,Doe\n2,Roe,\n", ["1", "2"], [] },
        { "mrn,family\n1,Doe,,\n", ["1"], [] },
        // A value under no header would have shifted the columns.
        { "mrn,family\n1,Doe,Jane\n", [], ["WrongColumnCount@2:"] },
        // Two headers for the same value: the first one is read.
        { "mrn,first name,given,last name\n1,Jane,Janet,Doe\n", ["1"], ["DuplicateColumn@1:given"] },
        // A middle name alone is still a name; no name at all is not.
        { "mrn,middle name,surname\n1,Maria,\n2,,\n", ["1"], ["MissingName@3:surname"] },
        { "mrn,name\n1,\"Doe, Jane\"\n2,\n", ["1"], ["MissingName@3:name"] },
        // Unknown columns are reported once, on the header line.
        { "mrn,surname,shoe size\n1,Doe,44\n", ["1"], ["UnrecognisedColumn@1:shoe size"] },
        // Excel's "sep=;" first line names the separator; lines still count from the top of the file.
        { "sep=;\nmrn;name\n1;\"Doe, Jane\"\n2;\n", ["1"], ["MissingName@4:name"] },
        // Whitespace around values is not part of them.
        { "mrn ; surname\n  7  ;  Doe  \n", ["7"], [] },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Convert_InlineRows_AcceptsOrRejectsEachRow(string csv, string[] identifiers, string[] issues)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(csv));

        var result = CsvPatientConverter.Convert(stream, CsvSamples.Options());

        Assert.Equal(identifiers, result.Resources.Cast<Patient>().Select(p => p.Identifier.Single().Value));
        Assert.Equal(issues, result.Issues.Select(CsvSamples.Summary));
    }

    [Theory]
    [InlineData("Doe, Jane Marie", "Doe", "Jane Marie", "Doe, Jane Marie")]
    [InlineData("Jane Doe", null, "", "Jane Doe")]
    [InlineData("Doe,", null, "", "Doe,")]
    public void Convert_FullNameColumn_SplitsOnlyFamilyCommaGiven(string fullName, string? family, string given, string text)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes($"mrn;patient name\n1;{fullName}\n"));

        var result = CsvPatientConverter.Convert(stream, CsvSamples.Options());

        var name = Assert.IsType<Patient>(Assert.Single(result.Resources)).Name.Single();
        Assert.Equal((family, given, text), (name.Family, string.Join(' ', name.Given), name.Text));
        Assert.Empty(result.Issues);
    }

    [Fact]
    public void Convert_RecordLargerThanTheLimit_IsOneIssueNotAnException()
    {
        var csv = "mrn,family\n1,Doe\n2,\"" + new string('x', 1_100_000) + "\n";
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(csv));

        var result = CsvPatientConverter.Convert(stream, CsvSamples.Options());

        Assert.Equal(["1"], result.Resources.Cast<Patient>().Select(p => p.Identifier.Single().Value));
        Assert.Equal([CsvIssueCode.MalformedFile], result.Issues.Select(i => i.Code));
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void Convert_WithoutSource_Throws(string source)
    {
        using var stream = new MemoryStream("mrn,family\n1,Doe\n"u8.ToArray());

        Assert.Throws<ArgumentException>(() => CsvPatientConverter.Convert(stream, new CsvImportOptions { Source = source }));
    }

    [Theory]
    [MemberData(nameof(SampleFiles))]
    public void Convert_AnySampleFile_EveryPatientHasIdentifierAndNameAndSerialises(string file)
    {
        var result = CsvSamples.Patients(file, CsvSamples.Options());

        foreach (var patient in result.Resources.Cast<Patient>())
        {
            Assert.NotEmpty(patient.Identifier.Single().Value);
            Assert.True(patient.Name.Single() is { } name && (name.Family is not null || name.Given.Any() || name.Text is not null));
            var json = patient.ToJson();
            var parsed = new FhirJsonDeserializer().Deserialize<Resource>(json);
            Assert.True(parsed.IsExactly(patient), json);
        }

        Assert.True(result.Resources.Count > 0 || result.Issues.Count > 0, $"{file}: nothing produced and nothing said");
    }

    public static TheoryData<string> SampleFiles() => new(CsvSamples.CsvFiles());
}
