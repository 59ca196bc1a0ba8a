using Fhir.Phr.Core.Resources;
using Fhir.Phr.Server.Smart;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Fhir.Phr.Server.Accounts;

/// <summary>
/// The account JSON API for apps (<c>/api/account/...</c>) and the administrators' account API
/// (<c>/admin/users</c>). Answers are <c>application/problem+json</c> on failure; none of them
/// tells whether a user name or address has an account.
/// </summary>
internal static class AccountApi
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/account").DisableAntiforgery();
        api.MapPost("/register", Register);
        api.MapPost("/confirm-email", ConfirmEmail);
        api.MapPost("/forgot-password", ForgotPassword);
        api.MapPost("/reset-password", ResetPassword);
        api.MapPost("/change-password", ChangePassword);

        var admin = app.MapGroup("/admin/users").RequireAuthorization(SmartSetup.AdminPolicy).DisableAntiforgery();
        admin.MapGet("", ListUsers);
        admin.MapPost("", CreateUser);
        admin.MapGet("/{id}", GetUser);
        admin.MapPut("/{id}/roles", SetRoles);
        admin.MapPut("/{id}/fhir-user", SetFhirUser);
    }

    internal sealed record RegisterBody(string? UserName, string? Email, string? Password, PatientDetails? Patient, string? Role);

    internal sealed record ConfirmBody(string? UserId, string? Code);

    internal sealed record EmailBody(string? Email);

    internal sealed record ResetBody(string? Email, string? Code, string? Password);

    internal sealed record ChangeBody(string? UserName, string? CurrentPassword, string? NewPassword);

    internal sealed record UserBody(string? UserName, string? Email, string? Password, IReadOnlyList<string>? Roles, string? FhirUser, PatientDetails? Patient);

    internal sealed record RolesBody(IReadOnlyList<string>? Roles);

    internal sealed record FhirUserBody(string? FhirUser);

    internal sealed record UserView(string Id, string UserName, string? Email, bool EmailConfirmed, IReadOnlyList<string> Roles, string? FhirUser, bool LockedOut);

    private static async Task<IResult> Register(RegisterBody body, AccountService accounts, CancellationToken cancellationToken)
    {
        var result = await accounts.RegisterAsync(new Registration(body.UserName, body.Email, body.Password, body.Patient, body.Role), null, cancellationToken);
        return result.Succeeded ? Results.Accepted(value: new { message = AccountService.CheckYourMail }) : Problem(result);
    }

    private static async Task<IResult> ConfirmEmail(ConfirmBody body, AccountService accounts)
    {
        var result = await accounts.ConfirmEmailAsync(body.UserId, body.Code);
        return result.Succeeded ? Results.Ok(new { message = "The email address is confirmed; you can sign in." }) : Problem(result);
    }

    private static async Task<IResult> ForgotPassword(EmailBody body, AccountService accounts, CancellationToken cancellationToken)
    {
        await accounts.ForgotPasswordAsync(body.Email, cancellationToken);
        return Results.Accepted(value: new { message = AccountService.CheckYourMail });
    }

    private static async Task<IResult> ResetPassword(ResetBody body, AccountService accounts)
    {
        var result = await accounts.ResetPasswordAsync(body.Email, body.Code, body.Password);
        return result.Succeeded ? Results.Ok(new { message = "The password is changed; you can sign in." }) : Problem(result);
    }

    private static async Task<IResult> ChangePassword(ChangeBody body, AccountService accounts)
    {
        var (outcome, user) = await accounts.CheckPasswordAsync(body.UserName, body.CurrentPassword, cookie: false);
        if (user is null || outcome == SignInOutcome.Failed)
            return Problem(AccountResult.Fail(AccountService.SignInFailed));
        var result = await accounts.ChangePasswordAsync(user, body.CurrentPassword, body.NewPassword);
        return result.Succeeded ? Results.Ok(new { message = "The password is changed." }) : Problem(result);
    }

    private static async Task<IResult> ListUsers(string? name, UserManager<PhrUser> users, CancellationToken cancellationToken)
    {
        var query = users.Users.AsNoTracking();
        if (!string.IsNullOrEmpty(name))
            query = query.Where(u => u.NormalizedUserName!.StartsWith(name.ToUpperInvariant()));
        var found = await query.OrderBy(u => u.UserName).Take(200).ToListAsync(cancellationToken);
        List<UserView> views = [];
        foreach (var user in found)
            views.Add(await ViewAsync(users, user));
        return Results.Ok(views);
    }

    private static async Task<IResult> GetUser(string id, UserManager<PhrUser> users) =>
        await users.FindByIdAsync(id) is { } user ? Results.Ok(await ViewAsync(users, user)) : Results.Problem(statusCode: 404, detail: "No such account.");

    /// <summary>Administrators create accounts already confirmed, with any roles, and optionally a new or existing Patient.</summary>
    private static async Task<IResult> CreateUser(UserBody body, UserManager<PhrUser> users, AccountService accounts, IServiceScopeFactory scopes, TimeProvider time, CancellationToken cancellationToken)
    {
        List<string> errors = [];
        var userName = body.UserName?.Trim() ?? "";
        var email = body.Email?.Trim() ?? "";
        if (!AccountService.IsUserName(userName))
            errors.Add("The user name must be 3 to 64 characters: letters, digits and . _ - @ +.");
        if (!AccountService.IsEmail(email))
            errors.Add("The email address is not valid.");
        var roles = body.Roles ?? [];
        errors.AddRange(roles.Where(r => !PhrRoles.All.Contains(r)).Select(r => $"'{r}' is not a role; roles are {string.Join(", ", PhrRoles.All)}."));
        if (body.FhirUser is not null && body.Patient is not null)
            errors.Add("Give either fhirUser (an existing Patient) or patient (details for a new one), not both.");
        var patient = body.Patient is null ? null : AccountService.ToPatient(body.Patient, errors);
        if (body.FhirUser is not null && await CheckPatientAsync(body.FhirUser, scopes, cancellationToken) is { } problem)
            errors.Add(problem);
        if (errors.Count > 0)
            return Problem(new AccountResult(false, errors));
        if (body.FhirUser is not null && await users.Users.AnyAsync(u => u.FhirUser == body.FhirUser, cancellationToken))
            return Problem(AccountResult.Fail($"{body.FhirUser} is already the record of another account."), StatusCodes.Status409Conflict);

        var user = new PhrUser { UserName = userName, Email = email, EmailConfirmed = true, FhirUser = body.FhirUser, CreatedAt = time.GetUtcNow().UtcDateTime };
        var created = string.IsNullOrEmpty(body.Password) ? await users.CreateAsync(user) : await users.CreateAsync(user, body.Password);
        if (!created.Succeeded)
            return Problem(new AccountResult(false, created.Errors.Select(e => e.Description).ToList()), created.Errors.Any(e => e.Code.StartsWith("Duplicate", StringComparison.Ordinal)) ? 409 : 400);
        if (roles.Count > 0)
            await users.AddToRolesAsync(user, roles.Distinct());
        if (patient is not null)
            await accounts.LinkNewPatientAsync(user, patient, cancellationToken);
        return Results.Created($"/admin/users/{user.Id}", await ViewAsync(users, user));
    }

    private static async Task<IResult> SetRoles(string id, RolesBody body, UserManager<PhrUser> users)
    {
        if (await users.FindByIdAsync(id) is not { } user)
            return Results.Problem(statusCode: 404, detail: "No such account.");
        var wanted = (body.Roles ?? []).Distinct().ToList();
        var unknown = wanted.Where(r => !PhrRoles.All.Contains(r)).ToList();
        if (unknown.Count > 0)
            return Problem(AccountResult.Fail($"Unknown roles: {string.Join(", ", unknown)}; roles are {string.Join(", ", PhrRoles.All)}."));
        var current = await users.GetRolesAsync(user);
        await users.RemoveFromRolesAsync(user, current.Except(wanted));
        await users.AddToRolesAsync(user, wanted.Except(current));
        return Results.Ok(await ViewAsync(users, user));
    }

    /// <summary>Links an account to an existing Patient (or unlinks it with null): that Patient becomes its fhirUser.</summary>
    private static async Task<IResult> SetFhirUser(string id, FhirUserBody body, UserManager<PhrUser> users, IServiceScopeFactory scopes, CancellationToken cancellationToken)
    {
        if (await users.FindByIdAsync(id) is not { } user)
            return Results.Problem(statusCode: 404, detail: "No such account.");
        if (body.FhirUser is not null && await CheckPatientAsync(body.FhirUser, scopes, cancellationToken) is { } problem)
            return Problem(AccountResult.Fail(problem));
        if (body.FhirUser is not null && await users.Users.AnyAsync(u => u.FhirUser == body.FhirUser && u.Id != user.Id, cancellationToken))
            return Problem(AccountResult.Fail($"{body.FhirUser} is already the record of another account."), StatusCodes.Status409Conflict);
        user.FhirUser = body.FhirUser;
        var updated = await users.UpdateAsync(user);
        if (!updated.Succeeded)
            return Problem(new AccountResult(false, updated.Errors.Select(e => e.Description).ToList()));
        return Results.Ok(await ViewAsync(users, user));
    }

    private static async Task<string?> CheckPatientAsync(string reference, IServiceScopeFactory scopes, CancellationToken cancellationToken)
    {
        if (!reference.StartsWith("Patient/", StringComparison.Ordinal) || reference.Length == "Patient/".Length || reference.IndexOf('/', "Patient/".Length) >= 0)
            return "fhirUser must be a Patient reference such as Patient/123.";
        await using var scope = scopes.CreateAsyncScope();
        var found = await scope.ServiceProvider.GetRequiredService<ResourceService>().FindCurrentAsync("Patient", reference["Patient/".Length..], cancellationToken);
        return found is null ? $"There is no {reference}." : null;
    }

    private static async Task<UserView> ViewAsync(UserManager<PhrUser> users, PhrUser user) =>
        new(user.Id, user.UserName!, user.Email, user.EmailConfirmed, [.. await users.GetRolesAsync(user)], user.FhirUser, await users.IsLockedOutAsync(user));

    private static IResult Problem(AccountResult result, int status = StatusCodes.Status400BadRequest) =>
        Results.Problem(statusCode: status, title: "The request cannot be carried out.", detail: string.Join(" ", result.Errors),
            extensions: new Dictionary<string, object?> { ["errors"] = result.Errors });
}
