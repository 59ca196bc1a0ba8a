using Fhir.Phr.Server.Accounts.Pages;
using Fhir.Phr.Server.Smart;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;

namespace Fhir.Phr.Server.Accounts;

/// <summary>
/// The account web pages (server-rendered Razor components, plain HTML forms, no scripts):
/// sign in and out, register, confirm an email address, forgot / reset / change password.
/// Every POST checks its antiforgery token; redirects go only to local URLs.
/// </summary>
internal static class AccountPages
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var pages = app.MapGroup("/account").DisableAntiforgery();
        pages.MapGet("", Home);
        pages.MapGet("/login", LoginForm);
        pages.MapPost("/login", Login);
        pages.MapPost("/logout", Logout);
        pages.MapGet("/register", RegisterForm);
        pages.MapPost("/register", Register);
        pages.MapGet("/confirm-email", ConfirmEmail);
        pages.MapGet("/forgot-password", ForgotPasswordForm);
        pages.MapPost("/forgot-password", ForgotPassword);
        pages.MapGet("/reset-password", ResetPasswordForm);
        pages.MapPost("/reset-password", ResetPassword);
        pages.MapGet("/change-password", ChangePasswordForm);
        pages.MapPost("/change-password", ChangePassword);
    }

    private static async Task<IResult> Home(HttpContext http, UserManager<PhrUser> users, IAntiforgery antiforgery)
    {
        if (await users.GetUserAsync(http.User) is not { } user)
            return Results.Redirect(AccountsSetup.LoginPath + "?returnUrl=%2Faccount");
        return Page<Home>(http, new()
        {
            [nameof(Pages.Home.Token)] = Token(http, antiforgery),
            [nameof(Pages.Home.UserName)] = user.UserName,
            [nameof(Pages.Home.Email)] = user.Email,
            [nameof(Pages.Home.FhirUser)] = user.FhirUser,
            [nameof(Pages.Home.Roles)] = (IReadOnlyList<string>)[.. await users.GetRolesAsync(user)],
        });
    }

    private static IResult LoginForm(HttpContext http, IAntiforgery antiforgery, string? returnUrl, string? notice) =>
        Page<Login>(http, new()
        {
            [nameof(Pages.Login.Token)] = Token(http, antiforgery),
            [nameof(Pages.Login.ReturnUrl)] = LocalOrHome(returnUrl),
            [nameof(Pages.Login.Notice)] = notice switch
            {
                "confirmed" => "Your email address is confirmed. Sign in to continue.",
                "reset" => "Your password is changed. Sign in with the new one.",
                _ => null,
            },
        });

    private static async Task<IResult> Login(HttpContext http, IAntiforgery antiforgery, AccountService accounts)
    {
        if (await FormAsync(http, antiforgery) is not { } form)
            return Expired(http);
        var returnUrl = LocalOrHome(form["returnUrl"]);
        var (outcome, _) = await accounts.CheckPasswordAsync(form["userName"], form["password"], cookie: true);
        if (outcome == SignInOutcome.SignedIn)
            return Results.Redirect(returnUrl);
        var problem = outcome == SignInOutcome.EmailNotConfirmed
            ? "Confirm your email address first: follow the link we mailed you when you registered."
            : AccountService.SignInFailed;
        return Page<Login>(http, new()
        {
            [nameof(Pages.Login.Token)] = Token(http, antiforgery),
            [nameof(Pages.Login.ReturnUrl)] = returnUrl,
            [nameof(Pages.Login.UserName)] = form["userName"].ToString(),
            [nameof(Pages.Login.Problems)] = (IReadOnlyList<string>)[problem],
        }, StatusCodes.Status400BadRequest);
    }

    private static async Task<IResult> Logout(HttpContext http, IAntiforgery antiforgery, SignInManager<PhrUser> signIn)
    {
        if (await FormAsync(http, antiforgery) is null)
            return Expired(http);
        await signIn.SignOutAsync();
        return Message(http, "Signed out", "You are signed out. Apps you allowed keep their access until it expires or you revoke it.", AccountsSetup.LoginPath, "Sign in again");
    }

    private static IResult RegisterForm(HttpContext http, IAntiforgery antiforgery, string? returnUrl) =>
        Page<Register>(http, new()
        {
            [nameof(Pages.Register.Token)] = Token(http, antiforgery),
            [nameof(Pages.Register.ReturnUrl)] = LocalOrHome(returnUrl),
        });

    private static async Task<IResult> Register(HttpContext http, IAntiforgery antiforgery, AccountService accounts, CancellationToken cancellationToken)
    {
        if (await FormAsync(http, antiforgery) is not { } form)
            return Expired(http);
        var returnUrl = LocalOrHome(form["returnUrl"]);
        var kind = form["kind"].ToString();
        var patient = kind is "patient" or ""
            ? new PatientDetails(form["given"], form["family"], form["birthDate"], form["gender"])
            : null;
        var result = await accounts.RegisterAsync(
            new Registration(form["userName"], form["email"], form["password"], patient, kind is "relative" or "friend" ? kind : null),
            returnUrl, cancellationToken);
        if (result.Succeeded)
            return Message(http, "Check your email", AccountService.CheckYourMail + " Follow the link in it to confirm your address, then sign in.", null, "");
        var entered = new[] { "userName", "email", "kind", "given", "family", "birthDate", "gender" }.ToDictionary(k => k, k => form[k].ToString());
        return Page<Register>(http, new()
        {
            [nameof(Pages.Register.Token)] = Token(http, antiforgery),
            [nameof(Pages.Register.ReturnUrl)] = returnUrl,
            [nameof(Pages.Register.Form)] = (IReadOnlyDictionary<string, string>)entered,
            [nameof(Pages.Register.Problems)] = result.Errors,
        }, StatusCodes.Status400BadRequest);
    }

    private static async Task<IResult> ConfirmEmail(HttpContext http, AccountService accounts, string? userId, string? code, string? returnUrl)
    {
        var result = await accounts.ConfirmEmailAsync(userId, code);
        if (!result.Succeeded)
            return Message(http, "Link not valid", AccountService.BadLink, "/account/login", "Sign in", StatusCodes.Status400BadRequest);
        return Results.Redirect($"{AccountsSetup.LoginPath}?notice=confirmed&returnUrl={Uri.EscapeDataString(LocalOrHome(returnUrl))}");
    }

    private static IResult ForgotPasswordForm(HttpContext http, IAntiforgery antiforgery) =>
        Page<ForgotPassword>(http, new() { [nameof(Pages.ForgotPassword.Token)] = Token(http, antiforgery) });

    private static async Task<IResult> ForgotPassword(HttpContext http, IAntiforgery antiforgery, AccountService accounts, CancellationToken cancellationToken)
    {
        if (await FormAsync(http, antiforgery) is not { } form)
            return Expired(http);
        await accounts.ForgotPasswordAsync(form["email"], cancellationToken);
        return Message(http, "Check your email", AccountService.CheckYourMail, null, "");
    }

    private static IResult ResetPasswordForm(HttpContext http, IAntiforgery antiforgery, string? email, string? code) =>
        Page<ResetPassword>(http, new()
        {
            [nameof(Pages.ResetPassword.Token)] = Token(http, antiforgery),
            [nameof(Pages.ResetPassword.Email)] = email ?? "",
            [nameof(Pages.ResetPassword.Code)] = code ?? "",
        });

    private static async Task<IResult> ResetPassword(HttpContext http, IAntiforgery antiforgery, AccountService accounts)
    {
        if (await FormAsync(http, antiforgery) is not { } form)
            return Expired(http);
        var result = await accounts.ResetPasswordAsync(form["email"], form["code"], form["password"]);
        if (result.Succeeded)
            return Results.Redirect(AccountsSetup.LoginPath + "?notice=reset");
        return Page<ResetPassword>(http, new()
        {
            [nameof(Pages.ResetPassword.Token)] = Token(http, antiforgery),
            [nameof(Pages.ResetPassword.Email)] = form["email"].ToString(),
            [nameof(Pages.ResetPassword.Code)] = form["code"].ToString(),
            [nameof(Pages.ResetPassword.Problems)] = result.Errors,
        }, StatusCodes.Status400BadRequest);
    }

    private static async Task<IResult> ChangePasswordForm(HttpContext http, IAntiforgery antiforgery, UserManager<PhrUser> users) =>
        await users.GetUserAsync(http.User) is null
            ? Results.Redirect(AccountsSetup.LoginPath + "?returnUrl=%2Faccount%2Fchange-password")
            : Page<ChangePassword>(http, new() { [nameof(Pages.ChangePassword.Token)] = Token(http, antiforgery) });

    private static async Task<IResult> ChangePassword(HttpContext http, IAntiforgery antiforgery, UserManager<PhrUser> users, SignInManager<PhrUser> signIn, AccountService accounts)
    {
        if (await FormAsync(http, antiforgery) is not { } form)
            return Expired(http);
        if (await users.GetUserAsync(http.User) is not { } user)
            return Results.Redirect(AccountsSetup.LoginPath + "?returnUrl=%2Faccount%2Fchange-password");
        var result = await accounts.ChangePasswordAsync(user, form["currentPassword"], form["newPassword"]);
        if (!result.Succeeded)
        {
            return Page<ChangePassword>(http, new()
            {
                [nameof(Pages.ChangePassword.Token)] = Token(http, antiforgery),
                [nameof(Pages.ChangePassword.Problems)] = result.Errors,
            }, StatusCodes.Status400BadRequest);
        }
        await signIn.RefreshSignInAsync(user);
        return Message(http, "Password changed", "Your password is changed.", "/account", "Back to your account");
    }

    /// <summary>The posted form, or null when its antiforgery token is missing or wrong.</summary>
    private static async Task<IFormCollection?> FormAsync(HttpContext http, IAntiforgery antiforgery)
    {
        if (!http.Request.HasFormContentType)
            return null;
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        return await antiforgery.IsRequestValidAsync(http) ? form : null;
    }

    private static IResult Expired(HttpContext http) =>
        Message(http, "Please try again", "The form expired or did not come from this site. Go back, reload the page and submit it again.", null, "", StatusCodes.Status400BadRequest);

    private static FormToken Token(HttpContext http, IAntiforgery antiforgery)
    {
        var tokens = antiforgery.GetAndStoreTokens(http);
        return new FormToken(tokens.FormFieldName, tokens.RequestToken!);
    }

    /// <summary>Only local paths (no scheme, no //host, no backslash tricks) are followed after sign-in.</summary>
    public static string LocalOrHome(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) && !url.Any(char.IsControl) ? url : "/account";

    private static IResult Message(HttpContext http, string title, string text, string? linkHref, string linkText, int status = StatusCodes.Status200OK) =>
        Page<Message>(http, new()
        {
            [nameof(Pages.Message.Title)] = title,
            [nameof(Pages.Message.Text)] = text,
            [nameof(Pages.Message.LinkHref)] = linkHref,
            [nameof(Pages.Message.LinkText)] = linkText,
        }, status);

    private static RazorComponentResult<TPage> Page<TPage>(HttpContext http, Dictionary<string, object?> parameters, int status = StatusCodes.Status200OK)
        where TPage : IComponent
    {
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers["X-Frame-Options"] = "DENY";
        return new RazorComponentResult<TPage>(parameters) { StatusCode = status };
    }
}
