namespace Fhir.Phr.Server.Accounts;

/// <summary>Account settings, bound from <c>Phr:Accounts</c>.</summary>
internal sealed class AccountOptions
{
    public const string Section = "Phr:Accounts";

    /// <summary>Sign-in needs a confirmed email address (the link mailed at registration).</summary>
    public bool RequireConfirmedEmail { get; set; } = true;

    /// <summary>Failed sign-ins in a row that lock an account.</summary>
    public int MaxFailedAttempts { get; set; } = 5;

    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long emailed confirmation and reset links stay valid.</summary>
    public TimeSpan LinkLifetime { get; set; } = TimeSpan.FromHours(3);

    public MailOptions Mail { get; set; } = new();
}

/// <summary>
/// Outgoing mail (<c>Phr:Accounts:Mail</c>): through SMTP when <see cref="SmtpHost"/> is set,
/// otherwise written as .eml files to <see cref="Directory"/> (default <c>&lt;data&gt;/mail</c>).
/// </summary>
internal sealed class MailOptions
{
    public string From { get; set; } = "Fhir.Phr <no-reply@localhost>";

    public string? Directory { get; set; }

    public string? SmtpHost { get; set; }

    public int SmtpPort { get; set; } = 587;

    public bool SmtpTls { get; set; } = true;

    public string? SmtpUser { get; set; }

    public string? SmtpPassword { get; set; }
}
