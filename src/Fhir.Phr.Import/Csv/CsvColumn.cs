using System.Collections.Frozen;

namespace Fhir.Phr.Import.Csv;

/// <summary>A value the converters know how to place in a resource. Identifier is the patient's identifier in both kinds of file.</summary>
internal enum CsvColumn
{
    Identifier = 1,
    Given,
    Middle,
    Family,
    FullName,
    BirthDate,
    Gender,
    Phone,
    Email,
    AddressLine1,
    AddressLine2,
    City,
    State,
    PostalCode,
    Country,
    FileName,
    DocumentType,
    Date,
    Title,
    Description,
    ContentType,
}

/// <summary>Recognises the headers hospitals write for each column, and the keys of a JSON column mapping.</summary>
internal static class CsvColumnNames
{
    /// <summary>Header spellings (after <see cref="Normalise"/>) of patient rosters.</summary>
    internal static readonly FrozenDictionary<string, CsvColumn> PatientHeaders = new Dictionary<string, CsvColumn>
    {
        ["mrn"] = CsvColumn.Identifier,
        ["patientid"] = CsvColumn.Identifier,
        ["patientidentifier"] = CsvColumn.Identifier,
        ["patientnumber"] = CsvColumn.Identifier,
        ["medicalrecordnumber"] = CsvColumn.Identifier,
        ["medicalrecordno"] = CsvColumn.Identifier,
        ["first"] = CsvColumn.Given,
        ["given"] = CsvColumn.Given,
        ["firstname"] = CsvColumn.Given,
        ["givenname"] = CsvColumn.Given,
        ["forename"] = CsvColumn.Given,
        ["middle"] = CsvColumn.Middle,
        ["middlename"] = CsvColumn.Middle,
        ["last"] = CsvColumn.Family,
        ["family"] = CsvColumn.Family,
        ["surname"] = CsvColumn.Family,
        ["lastname"] = CsvColumn.Family,
        ["familyname"] = CsvColumn.Family,
        ["name"] = CsvColumn.FullName,
        ["fullname"] = CsvColumn.FullName,
        ["patientname"] = CsvColumn.FullName,
        ["dob"] = CsvColumn.BirthDate,
        ["birthdate"] = CsvColumn.BirthDate,
        ["dateofbirth"] = CsvColumn.BirthDate,
        ["sex"] = CsvColumn.Gender,
        ["gender"] = CsvColumn.Gender,
        ["phone"] = CsvColumn.Phone,
        ["phonenumber"] = CsvColumn.Phone,
        ["telephone"] = CsvColumn.Phone,
        ["email"] = CsvColumn.Email,
        ["emailaddress"] = CsvColumn.Email,
        ["address"] = CsvColumn.AddressLine1,
        ["addressline1"] = CsvColumn.AddressLine1,
        ["address1"] = CsvColumn.AddressLine1,
        ["street"] = CsvColumn.AddressLine1,
        ["addressline2"] = CsvColumn.AddressLine2,
        ["address2"] = CsvColumn.AddressLine2,
        ["city"] = CsvColumn.City,
        ["town"] = CsvColumn.City,
        ["state"] = CsvColumn.State,
        ["province"] = CsvColumn.State,
        ["stateprovince"] = CsvColumn.State,
        ["postalcode"] = CsvColumn.PostalCode,
        ["postcode"] = CsvColumn.PostalCode,
        ["zip"] = CsvColumn.PostalCode,
        ["zipcode"] = CsvColumn.PostalCode,
        ["country"] = CsvColumn.Country,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Header spellings (after <see cref="Normalise"/>) of document indexes.</summary>
    internal static readonly FrozenDictionary<string, CsvColumn> DocumentHeaders = new Dictionary<string, CsvColumn>
    {
        ["file"] = CsvColumn.FileName,
        ["filename"] = CsvColumn.FileName,
        ["document"] = CsvColumn.FileName,
        ["documentfile"] = CsvColumn.FileName,
        ["path"] = CsvColumn.FileName,
        ["mrn"] = CsvColumn.Identifier,
        ["patientid"] = CsvColumn.Identifier,
        ["patientidentifier"] = CsvColumn.Identifier,
        ["patientnumber"] = CsvColumn.Identifier,
        ["medicalrecordnumber"] = CsvColumn.Identifier,
        ["type"] = CsvColumn.DocumentType,
        ["documenttype"] = CsvColumn.DocumentType,
        ["doctype"] = CsvColumn.DocumentType,
        ["date"] = CsvColumn.Date,
        ["documentdate"] = CsvColumn.Date,
        ["title"] = CsvColumn.Title,
        ["description"] = CsvColumn.Description,
        ["contenttype"] = CsvColumn.ContentType,
        ["mimetype"] = CsvColumn.ContentType,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The keys of a JSON column mapping (after <see cref="Normalise"/>): the camelCase names, with a few aliases.</summary>
    internal static readonly FrozenDictionary<string, CsvColumn> MappingKeys = new Dictionary<string, CsvColumn>
    {
        ["identifier"] = CsvColumn.Identifier,
        ["patientidentifier"] = CsvColumn.Identifier,
        ["given"] = CsvColumn.Given,
        ["middle"] = CsvColumn.Middle,
        ["family"] = CsvColumn.Family,
        ["name"] = CsvColumn.FullName,
        ["fullname"] = CsvColumn.FullName,
        ["birthdate"] = CsvColumn.BirthDate,
        ["gender"] = CsvColumn.Gender,
        ["phone"] = CsvColumn.Phone,
        ["email"] = CsvColumn.Email,
        ["addressline1"] = CsvColumn.AddressLine1,
        ["addressline2"] = CsvColumn.AddressLine2,
        ["city"] = CsvColumn.City,
        ["state"] = CsvColumn.State,
        ["postalcode"] = CsvColumn.PostalCode,
        ["country"] = CsvColumn.Country,
        ["filename"] = CsvColumn.FileName,
        ["type"] = CsvColumn.DocumentType,
        ["documenttype"] = CsvColumn.DocumentType,
        ["date"] = CsvColumn.Date,
        ["title"] = CsvColumn.Title,
        ["description"] = CsvColumn.Description,
        ["contenttype"] = CsvColumn.ContentType,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>"Date_of Birth" and "dateOfBirth" are the same header: lower case, without spaces, underscores, hyphens, dots or a BOM.</summary>
    internal static string Normalise(string header)
    {
        var chars = new char[header.Length];
        var n = 0;
        foreach (var c in header)
        {
            if (c is ' ' or '_' or '-' or '.' or '\t' or '\uFEFF' or '"')
            {
                continue;
            }

            chars[n++] = char.ToLowerInvariant(c);
        }

        return new string(chars, 0, n);
    }
}
