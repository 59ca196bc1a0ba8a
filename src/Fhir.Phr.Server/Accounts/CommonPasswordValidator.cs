using System.Collections.Frozen;
using Microsoft.AspNetCore.Identity;

namespace Fhir.Phr.Server.Accounts;

/// <summary>
/// Refuses passwords that are common (the list in common-passwords.txt, shipped with the server),
/// a common password padded with digits or punctuation ("password12345!") or mostly made of one
/// ("qwertyuiopasdf"), one piece repeated, or that contain the user name. Length (≥ 12) is Identity's own rule;
/// passphrases of ordinary words pass.
/// </summary>
internal sealed class CommonPasswordValidator : IPasswordValidator<PhrUser>
{
    private static readonly Lazy<FrozenSet<string>> Common = new(Load);

    public static FrozenSet<string> List => Common.Value;

    public Task<IdentityResult> ValidateAsync(UserManager<PhrUser> manager, PhrUser user, string? password)
    {
        var problem = Check(user.UserName, password ?? "");
        return Task.FromResult(problem is null
            ? IdentityResult.Success
            : IdentityResult.Failed(new IdentityError { Code = "CommonPassword", Description = problem }));
    }

    /// <summary>Why the password is refused, or null when it is acceptable.</summary>
    public static string? Check(string? userName, string password)
    {
        var lower = password.ToLowerInvariant();
        if (List.Contains(lower))
            return "This password is on the list of commonly used passwords; choose another (a few unrelated words make a good one).";
        var core = lower.Trim().TrimStart("0123456789!@#$%^&*()-_=+.,;:?~ ".ToCharArray()).TrimEnd("0123456789!@#$%^&*()-_=+.,;:?~ ".ToCharArray());
        if (core.Length == 0 || (core.Length >= 4 && List.Contains(core)))
            return "This password is a commonly used password with digits or symbols added; choose another.";
        if (StartsOrEndsCommon(lower))
            return "Most of this password is a commonly used password; choose another.";
        if (IsRepetition(lower))
            return "This password repeats one pattern; choose another.";
        if (!string.IsNullOrEmpty(userName) && userName.Length >= 4 && lower.Contains(userName.ToLowerInvariant(), StringComparison.Ordinal))
            return "The password must not contain the user name.";
        return null;
    }

    /// <summary>A common password of 8 or more characters that makes up at least half of it, at its start or end ("qwertyuiop" + "asdf").</summary>
    private static bool StartsOrEndsCommon(string text)
    {
        for (var length = text.Length - 1; length >= 8 && length * 2 >= text.Length; length--)
        {
            if (List.Contains(text[..length]) || List.Contains(text[^length..]))
                return true;
        }
        return false;
    }

    /// <summary>The whole text is one shorter piece repeated ("abcabcabcabc", "passwordpassword").</summary>
    private static bool IsRepetition(string text)
    {
        for (var period = 1; period <= text.Length / 2; period++)
        {
            var repeats = true;
            for (var i = period; i < text.Length && repeats; i++)
                repeats = text[i] == text[i - period];
            if (repeats)
                return true;
        }
        return false;
    }

    private static FrozenSet<string> Load()
    {
        using var stream = typeof(CommonPasswordValidator).Assembly.GetManifestResourceStream("Fhir.Phr.Server.Accounts.common-passwords.txt")
            ?? throw new InvalidOperationException("The common-password list is not embedded in the server assembly.");
        using var reader = new StreamReader(stream);
        HashSet<string> words = new(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0 && !line.StartsWith('#'))
                words.Add(line.Trim().ToLowerInvariant());
        }
        return words.ToFrozenSet(StringComparer.Ordinal);
    }
}
