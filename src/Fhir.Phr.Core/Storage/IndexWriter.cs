using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Fhir.Phr.Core.Storage;

/// <summary>
/// Writes a version's index rows as multi-row INSERT statements on the context's connection and
/// transaction. A resource has dozens of rows (one per blind prefix); inserting them as tracked
/// entities cost EF Core more than validation and encryption together.
/// </summary>
public sealed class IndexWriter
{
    private const int RowsPerStatement = 60;

    private static readonly string[] Columns = ["ResourceVersionId", "Param", "Kind", "Text", "System", "Code", "Low", "High", "Number", "RefType", "RefId", "Blind"];

    private static readonly string InsertPrefix =
        $"INSERT INTO search_index ({string.Join(", ", Columns.Select(c => $"\"{c}\""))}) VALUES ";

    public async Task InsertAsync(PhrDbContext db, long versionId, IReadOnlyList<SearchIndexEntry> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
            return;
        var connection = db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("Index rows are written inside the version's transaction.");
        // SQLite keeps decimals as REAL (see PhrDbContext); PostgreSQL's numeric takes them as they are.
        var sqlite = db.Database.IsSqlite();
        for (var start = 0; start < entries.Count; start += RowsPerStatement)
        {
            var count = Math.Min(RowsPerStatement, entries.Count - start);
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            var sql = new StringBuilder(InsertPrefix);
            for (var row = 0; row < count; row++)
            {
                var entry = entries[start + row];
                sql.Append(row == 0 ? "(" : ", (");
                object?[] values =
                [
                    versionId, entry.Param, (int)entry.Kind, entry.Text, entry.System, entry.Code, entry.Low, entry.High,
                    entry.Number is { } n && sqlite ? (double)n : entry.Number, entry.RefType, entry.RefId, entry.Blind,
                ];
                for (var column = 0; column < values.Length; column++)
                {
                    var name = $"@p{row}_{column}";
                    sql.Append(column == 0 ? name : ", " + name);
                    var parameter = command.CreateParameter();
                    parameter.ParameterName = name;
                    parameter.Value = values[column] ?? DBNull.Value;
                    command.Parameters.Add(parameter);
                }
                sql.Append(')');
            }
            command.CommandText = sql.ToString();
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
