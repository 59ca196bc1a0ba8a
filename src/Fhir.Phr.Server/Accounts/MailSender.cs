using System.Globalization;
using System.Net;
using System.Net.Mail;
using System.Text;
using Fhir.Phr.Server.Smart;

namespace Fhir.Phr.Server.Accounts;

/// <summary>One plain-text message to one address.</summary>
internal sealed record Mail(string To, string Subject, string Body);

/// <summary>
/// Where account mail goes. Two implementations: <see cref="DirectoryMailSender"/> (the default,
/// so that a local run needs no mail server) and <see cref="SmtpMailSender"/>; a deployment can
/// register its own.
/// </summary>
internal interface IMailSender
{
    Task SendAsync(Mail mail, CancellationToken cancellationToken);
}

/// <summary>
/// Writes each message as an RFC 5322 .eml file (UTF-8, 8bit) into the mail folder, mode 0600
/// because the links in them are credentials.
/// </summary>
internal sealed class DirectoryMailSender(string directory, string from, TimeProvider time) : IMailSender
{
    public string Directory { get; } = directory;

    public Task SendAsync(Mail mail, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var text = new StringBuilder()
            .Append("From: ").Append(from).Append("\r\n")
            .Append("To: ").Append(mail.To).Append("\r\n")
            .Append("Subject: ").Append(mail.Subject).Append("\r\n")
            .Append("Date: ").Append(now.ToString("r", CultureInfo.InvariantCulture)).Append("\r\n")
            .Append("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
            .Append(mail.Body.ReplaceLineEndings("\r\n"))
            .ToString();
        var name = $"{now:yyyyMMdd'T'HHmmssfff}-{Guid.NewGuid().ToString("N")[..8]}.eml";
        SecretFile.TryCreate(Path.Combine(Directory, name), Encoding.UTF8.GetBytes(text));
        return Task.CompletedTask;
    }
}

/// <summary>Sends through an SMTP relay (STARTTLS by default).</summary>
internal sealed class SmtpMailSender(MailOptions options) : IMailSender
{
    public async Task SendAsync(Mail mail, CancellationToken cancellationToken)
    {
        using var client = new SmtpClient(options.SmtpHost, options.SmtpPort) { EnableSsl = options.SmtpTls };
        if (!string.IsNullOrEmpty(options.SmtpUser))
            client.Credentials = new NetworkCredential(options.SmtpUser, options.SmtpPassword);
        using var message = new MailMessage(options.From, mail.To, mail.Subject, mail.Body) { BodyEncoding = Encoding.UTF8, SubjectEncoding = Encoding.UTF8 };
        await client.SendMailAsync(message, cancellationToken);
    }
}
