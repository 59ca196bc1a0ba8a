using Fhir.Phr.Core;
using Fhir.Phr.Server.Smart;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;

namespace Fhir.Phr.Server.Accounts;

/// <summary>
/// ASP.NET Core Identity over <see cref="SmartDbContext"/>: the password policy (12 characters or
/// more, no composition rules, not on the common-password list), lockout, cookie sign-in for the
/// web pages, emailed links, and the pages and JSON API for people and apps.
/// </summary>
internal static class AccountsSetup
{
    public const string LoginPath = "/account/login";

    public static IServiceCollection AddAccounts(this IServiceCollection services, IConfiguration configuration, PhrOptions phr)
    {
        var accounts = new AccountOptions();
        configuration.GetSection(AccountOptions.Section).Bind(accounts);
        services.AddSingleton(accounts);

        services.AddIdentity<PhrUser, IdentityRole>(identity =>
            {
                identity.Password.RequiredLength = 12;
                identity.Password.RequiredUniqueChars = 5;
                identity.Password.RequireDigit = false;
                identity.Password.RequireLowercase = false;
                identity.Password.RequireUppercase = false;
                identity.Password.RequireNonAlphanumeric = false;
                identity.Lockout.MaxFailedAccessAttempts = accounts.MaxFailedAttempts;
                identity.Lockout.DefaultLockoutTimeSpan = accounts.LockoutDuration;
                identity.Lockout.AllowedForNewUsers = true;
                identity.User.RequireUniqueEmail = true;
                identity.User.AllowedUserNameCharacters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._@+";
                identity.SignIn.RequireConfirmedEmail = accounts.RequireConfirmedEmail;
            })
            .AddEntityFrameworkStores<SmartDbContext>()
            .AddDefaultTokenProviders()
            .AddPasswordValidator<CommonPasswordValidator>();
        services.Configure<DataProtectionTokenProviderOptions>(tokens => tokens.TokenLifespan = accounts.LinkLifetime);
        services.ConfigureApplicationCookie(cookie =>
        {
            cookie.LoginPath = LoginPath;
            cookie.LogoutPath = "/account/logout";
            cookie.AccessDeniedPath = LoginPath;
            cookie.Cookie.Name = "phr.session";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.ExpireTimeSpan = TimeSpan.FromHours(8);
            cookie.SlidingExpiration = true;
        });

        // Cookies, antiforgery tokens and emailed links stay valid across restarts and nodes that share the data directory.
        var keys = OperatingSystem.IsWindows()
            ? Directory.CreateDirectory(Path.Combine(Path.GetFullPath(phr.DataDirectory), "data-protection-keys"))
            : Directory.CreateDirectory(Path.Combine(Path.GetFullPath(phr.DataDirectory), "data-protection-keys"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        services.AddDataProtection().PersistKeysToFileSystem(keys).SetApplicationName("Fhir.Phr");

        var mailDirectory = accounts.Mail.Directory ?? Path.Combine(Path.GetFullPath(phr.DataDirectory), "mail");
        if (string.IsNullOrEmpty(accounts.Mail.SmtpHost) && !OperatingSystem.IsWindows())
            Directory.CreateDirectory(mailDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (string.IsNullOrEmpty(accounts.Mail.SmtpHost))
            services.AddSingleton<IMailSender>(sp => new DirectoryMailSender(mailDirectory, accounts.Mail.From, sp.GetRequiredService<TimeProvider>()));
        else
            services.AddSingleton<IMailSender>(new SmtpMailSender(accounts.Mail));

        services.AddScoped<AccountService>();
        services.AddRazorComponents();
        return services;
    }

    public static IEndpointRouteBuilder MapAccounts(this IEndpointRouteBuilder app)
    {
        AccountPages.Map(app);
        AccountApi.Map(app);
        return app;
    }
}
