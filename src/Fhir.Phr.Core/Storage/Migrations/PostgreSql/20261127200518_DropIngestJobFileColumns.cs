using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Fhir.Phr.Core.Storage.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class DropIngestJobFileColumns : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ContentType",
                table: "ingest_jobs");

            migrationBuilder.DropColumn(
                name: "SourceBinaryId",
                table: "ingest_jobs");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ContentType",
                table: "ingest_jobs",
                type: "character varying(128)",
                maxLength: 128,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "SourceBinaryId",
                table: "ingest_jobs",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                defaultValue: "");
        }
    }
}
