using System.Globalization;
using System.Net.Mail;
using System.Text;
using Fhir.Phr.Core.Resources;
using Fhir.Phr.Server.Smart;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;

namespace Fhir.Phr.Server.Accounts;

/// <summary>Details a person registering as a patient gives; their Patient resource is made from them.</summary>
internal sealed record PatientDetails(string? Given, string? Family, string? BirthDate, string? Gender);

internal sealed record Registration(string? UserName, string? Email, string? Password, PatientDetails? Patient, string? Role);

/// <summary>The outcome of an account operation: success, or messages that are safe to show.</summary>
internal sealed record AccountResult(bool Succeeded, IReadOnlyList<string> Errors)
{
    public static AccountResult Ok { get; } = new(true, []);

    public static AccountResult Fail(params string[] errors) => new(false, errors);
}

internal enum SignInOutcome
{
    SignedIn,
    Failed,
    EmailNotConfirmed,
}

/// <summary>
/// Registration, sign-in, email confirmation and password reset and change, written so that no
/// answer or its timing tells whether a user name or email address has an account: a taken
/// name or address gets the same reply as a fresh one (the owner is told by mail), unknown
/// users cost a password hash like known ones, and a locked or wrong sign-in reads the same.
/// </summary>
internal sealed class AccountService(
    UserManager<PhrUser> users,
    SignInManager<PhrUser> signIn,
    IPasswordHasher<PhrUser> hasher,
    IMailSender mail,
    AccountOptions options,
    SmartOptions smart,
    IServiceScopeFactory scopes,
    TimeProvider time)
{
    public const string CheckYourMail = "If these details can be used, an email with the next step is on its way to that address.";
    public const string SignInFailed = "Sign-in failed: the user name or password is wrong, or the account is locked for a while after too many attempts.";
    public const string BadLink = "This link is invalid or has expired; ask for a new one.";

    private static readonly Lazy<string> DummyHash = new(() => new PasswordHasher<PhrUser>().HashPassword(new PhrUser(), Guid.NewGuid().ToString()));

    /// <summary>
    /// Registration and reset requests answer no sooner than this, so that creating an account
    /// (with its Patient) and finding the name taken take the same time from outside.
    /// </summary>
    public static readonly TimeSpan AnswerFloor = TimeSpan.FromMilliseconds(800);

    /// <summary>Validates and registers; a successful answer means "check your mail", whether or not an account was created.</summary>
    public async Task<AccountResult> RegisterAsync(Registration registration, string? returnUrl, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var result = await RegisterCoreAsync(registration, smart.LinkBase, returnUrl, cancellationToken);
        if (result.Succeeded)
            await PadAsync(started, cancellationToken);
        return result;
    }

    private async Task PadAsync(long started, CancellationToken cancellationToken)
    {
        var left = AnswerFloor - time.GetElapsedTime(started);
        if (left > TimeSpan.Zero)
            await Task.Delay(left, time, cancellationToken);
    }

    private async Task<AccountResult> RegisterCoreAsync(Registration registration, string baseUrl, string? returnUrl, CancellationToken cancellationToken)
    {
        List<string> errors = [];
        var userName = registration.UserName?.Trim() ?? "";
        var email = registration.Email?.Trim() ?? "";
        var password = registration.Password ?? "";
        if (!IsUserName(userName))
            errors.Add("The user name must be 3 to 64 characters: letters, digits and . _ - @ +.");
        if (!IsEmail(email))
            errors.Add("The email address is not valid.");
        if (registration.Role is { Length: > 0 } role && !PhrRoles.SelfService.Contains(role))
            errors.Add($"Registration can take the role {string.Join(" or ", PhrRoles.SelfService)}; other roles are given by an administrator.");
        Patient? patient = null;
        if (registration.Patient is { } details)
            patient = ToPatient(details, errors);
        var candidate = new PhrUser { UserName = userName, Email = email };
        foreach (var validator in users.PasswordValidators)
        {
            var result = await validator.ValidateAsync(users, candidate, password);
            errors.AddRange(result.Errors.Select(e => e.Description));
        }
        if (errors.Count > 0)
            return new AccountResult(false, errors);

        if (await users.FindByEmailAsync(email) is not null)
        {
            hasher.HashPassword(candidate, password);
            await mail.SendAsync(new Mail(email, "Someone tried to register with your address",
                $"Someone (perhaps you) tried to register a new account at {baseUrl} with this email address, which already has an account.\n\n" +
                $"If it was you, sign in: {baseUrl}account/login\nForgot your password? {baseUrl}account/forgot-password\n\nIf it was not you, you can ignore this message."), cancellationToken);
            return AccountResult.Ok;
        }
        if (await users.FindByNameAsync(userName) is not null)
        {
            hasher.HashPassword(candidate, password);
            await mail.SendAsync(new Mail(email, "Choose another user name",
                $"You tried to register at {baseUrl} with a user name that is already taken. Please register again with another one: {baseUrl}account/register"), cancellationToken);
            return AccountResult.Ok;
        }

        var user = new PhrUser { UserName = userName, Email = email, CreatedAt = time.GetUtcNow().UtcDateTime };
        var created = await users.CreateAsync(user, password);
        if (!created.Succeeded)
        {
            // A concurrent registration of the same name or address: answer as for a taken one.
            if (created.Errors.Any(e => e.Code is "DuplicateUserName" or "DuplicateEmail"))
                return AccountResult.Ok;
            return new AccountResult(false, created.Errors.Select(e => e.Description).ToList());
        }
        if (registration.Role is { Length: > 0 } taken)
            await users.AddToRoleAsync(user, taken);
        if (patient is not null)
        {
            try
            {
                await LinkNewPatientAsync(user, patient, cancellationToken);
            }
            catch
            {
                await users.DeleteAsync(user);
                throw;
            }
        }
        await SendConfirmationAsync(user, baseUrl, returnUrl, cancellationToken);
        return AccountResult.Ok;
    }

    /// <summary>Creates the account's Patient (host work, outside any caller's scopes) and makes it the account's fhirUser.</summary>
    public async Task LinkNewPatientAsync(PhrUser user, Patient patient, CancellationToken cancellationToken)
    {
        patient.Identifier.Add(new Identifier("urn:ietf:rfc:3986", "urn:uuid:" + user.Id));
        await using var scope = scopes.CreateAsyncScope();
        var stored = await scope.ServiceProvider.GetRequiredService<ResourceService>().CreateAsync(patient, cancellationToken);
        user.FhirUser = "Patient/" + stored.Resource.Id;
        var updated = await users.UpdateAsync(user);
        if (!updated.Succeeded)
            throw new InvalidOperationException("Linking the new Patient to the account failed: " + string.Join("; ", updated.Errors.Select(e => e.Description)));
    }

    public async Task SendConfirmationAsync(PhrUser user, string baseUrl, string? returnUrl, CancellationToken cancellationToken)
    {
        var code = Encode(await users.GenerateEmailConfirmationTokenAsync(user));
        var link = $"{baseUrl}account/confirm-email?userId={Uri.EscapeDataString(user.Id)}&code={code}";
        if (!string.IsNullOrEmpty(returnUrl))
            link += "&returnUrl=" + Uri.EscapeDataString(returnUrl);
        await mail.SendAsync(new Mail(user.Email!, "Confirm your email address",
            $"Welcome to {baseUrl}, {user.UserName}.\n\nConfirm your email address to sign in:\n{link}\n\n" +
            $"API clients can POST {{\"userId\":\"{user.Id}\",\"code\":\"{code}\"}} to {baseUrl}api/account/confirm-email.\n\n" +
            $"The link is valid for {options.LinkLifetime.TotalHours:0} hours. If you did not register, ignore this message."), cancellationToken);
    }

    public async Task<AccountResult> ConfirmEmailAsync(string? userId, string? code)
    {
        if (string.IsNullOrEmpty(userId) || string.IsNullOrEmpty(code) || await users.FindByIdAsync(userId) is not { } user || Decode(code) is not { } token)
            return AccountResult.Fail(BadLink);
        var result = await users.ConfirmEmailAsync(user, token);
        return result.Succeeded ? AccountResult.Ok : AccountResult.Fail(BadLink);
    }

    /// <summary>Checks the password with lockout and, on success, signs in with the cookie when <paramref name="cookie"/> is set.</summary>
    public async Task<(SignInOutcome Outcome, PhrUser? User)> CheckPasswordAsync(string? name, string? password, bool cookie)
    {
        name = name?.Trim() ?? "";
        password ??= "";
        var user = name.Length == 0 ? null : await users.FindByNameAsync(name) ?? (name.Contains('@', StringComparison.Ordinal) ? await users.FindByEmailAsync(name) : null);
        if (user is null || await users.IsLockedOutAsync(user))
        {
            // The same hash work as a real check, so that timing does not tell which it was.
            hasher.VerifyHashedPassword(new PhrUser(), DummyHash.Value, password);
            return (SignInOutcome.Failed, null);
        }
        if (!await users.CheckPasswordAsync(user, password))
        {
            await users.AccessFailedAsync(user);
            return (SignInOutcome.Failed, null);
        }
        await users.ResetAccessFailedCountAsync(user);
        if (options.RequireConfirmedEmail && !user.EmailConfirmed)
            return (SignInOutcome.EmailNotConfirmed, user);
        if (cookie)
            await signIn.SignInAsync(user, isPersistent: false);
        return (SignInOutcome.SignedIn, user);
    }

    /// <summary>Mails a reset link when the address has an account; the answer is the same either way.</summary>
    public async Task ForgotPasswordAsync(string? email, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        await ForgotPasswordCoreAsync(email, smart.LinkBase, cancellationToken);
        await PadAsync(started, cancellationToken);
    }

    private async Task ForgotPasswordCoreAsync(string? email, string baseUrl, CancellationToken cancellationToken)
    {
        email = email?.Trim() ?? "";
        if (!IsEmail(email) || await users.FindByEmailAsync(email) is not { } user)
            return;
        var code = Encode(await users.GeneratePasswordResetTokenAsync(user));
        var link = $"{baseUrl}account/reset-password?email={Uri.EscapeDataString(email)}&code={code}";
        await mail.SendAsync(new Mail(email, "Reset your password",
            $"Someone (perhaps you) asked to reset the password of the account {user.UserName} at {baseUrl}.\n\nChoose a new password here:\n{link}\n\n" +
            $"API clients can POST {{\"email\":\"{email}\",\"code\":\"{code}\",\"password\":\"...\"}} to {baseUrl}api/account/reset-password.\n\n" +
            $"The link is valid for {options.LinkLifetime.TotalHours:0} hours. If you did not ask, ignore this message; your password is unchanged."), cancellationToken);
    }

    public async Task<AccountResult> ResetPasswordAsync(string? email, string? code, string? password)
    {
        if (string.IsNullOrEmpty(email) || string.IsNullOrEmpty(code) || Decode(code) is not { } token || await users.FindByEmailAsync(email.Trim()) is not { } user)
            return AccountResult.Fail(BadLink);
        var result = await users.ResetPasswordAsync(user, token, password ?? "");
        if (result.Succeeded)
        {
            // A reset also ends a lockout: the person proved control of the mailbox.
            await users.SetLockoutEndDateAsync(user, null);
            await users.ResetAccessFailedCountAsync(user);
            return AccountResult.Ok;
        }
        return result.Errors.Any(e => e.Code == "InvalidToken")
            ? AccountResult.Fail(BadLink)
            : new AccountResult(false, result.Errors.Select(e => e.Description).ToList());
    }

    public async Task<AccountResult> ChangePasswordAsync(PhrUser user, string? currentPassword, string? newPassword)
    {
        var result = await users.ChangePasswordAsync(user, currentPassword ?? "", newPassword ?? "");
        if (result.Succeeded)
            return AccountResult.Ok;
        if (result.Errors.Any(e => e.Code == "PasswordMismatch"))
        {
            await users.AccessFailedAsync(user);
            return AccountResult.Fail("The current password is wrong.");
        }
        return new AccountResult(false, result.Errors.Select(e => e.Description).ToList());
    }

    public static bool IsUserName(string name) =>
        name.Length is >= 3 and <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '@' or '+');

    public static bool IsEmail(string email) =>
        email.Length is > 2 and <= 254 && !email.Any(char.IsControl) && MailAddress.TryCreate(email, out var parsed) && parsed.Address == email && string.IsNullOrEmpty(parsed.DisplayName);

    /// <summary>A Patient from the registration form: one official name, birth date and administrative gender.</summary>
    public static Patient? ToPatient(PatientDetails details, List<string> errors)
    {
        var given = details.Given?.Trim();
        var family = details.Family?.Trim();
        if (string.IsNullOrEmpty(given) || string.IsNullOrEmpty(family) || given.Length > 100 || family.Length > 100)
            errors.Add("Give your given and family names (each up to 100 characters).");
        if (!DateOnly.TryParseExact(details.BirthDate?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var birth)
            || birth > DateOnly.FromDateTime(DateTime.UtcNow) || birth.Year < 1880)
            errors.Add("Give your birth date as YYYY-MM-DD.");
        AdministrativeGender? gender = details.Gender?.Trim().ToLowerInvariant() switch
        {
            "male" => AdministrativeGender.Male,
            "female" => AdministrativeGender.Female,
            "other" => AdministrativeGender.Other,
            "unknown" => AdministrativeGender.Unknown,
            _ => null,
        };
        if (gender is null)
            errors.Add("Give your gender as male, female, other or unknown.");
        if (errors.Count > 0)
            return null;
        return new Patient
        {
            Name = [new HumanName { Use = HumanName.NameUse.Official, Family = family, Given = [given!] }],
            BirthDate = birth.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            Gender = gender,
        };
    }

    private static string Encode(string token) => WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(token));

    private static string? Decode(string code)
    {
        try
        {
            return Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(code));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
