namespace Fhir.Phr.Server.Accounts.Pages;

/// <summary>The antiforgery field a page's form carries (the handler validates it on POST).</summary>
public sealed record FormToken(string Field, string Value);
