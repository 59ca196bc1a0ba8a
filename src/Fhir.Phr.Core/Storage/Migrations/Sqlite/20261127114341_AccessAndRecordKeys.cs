using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Fhir.Phr.Core.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AccessAndRecordKeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "EnvelopeId",
                table: "resource_versions",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Owner",
                table: "resource_versions",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "access_grants",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    PatientId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Grantee = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    Kind = table.Column<int>(type: "INTEGER", nullable: false),
                    CanWrite = table.Column<bool>(type: "INTEGER", nullable: false),
                    GrantedBy = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: true),
                    GrantedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ExpiresAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    RevokedAt = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_access_grants", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "record_envelopes",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Owner = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    CreatedEpoch = table.Column<int>(type: "INTEGER", nullable: false),
                    WrapEpoch = table.Column<int>(type: "INTEGER", nullable: false),
                    Sealed = table.Column<byte[]>(type: "BLOB", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_record_envelopes", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "record_epochs",
                columns: table => new
                {
                    PatientId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Epoch = table.Column<int>(type: "INTEGER", nullable: false),
                    OldestLiveEpoch = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_record_epochs", x => x.PatientId);
                });

            migrationBuilder.CreateIndex(
                name: "IX_resource_versions_Owner_ResourceType",
                table: "resource_versions",
                columns: new[] { "Owner", "ResourceType" });

            migrationBuilder.CreateIndex(
                name: "IX_access_grants_Grantee_RevokedAt",
                table: "access_grants",
                columns: new[] { "Grantee", "RevokedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_access_grants_PatientId_RevokedAt",
                table: "access_grants",
                columns: new[] { "PatientId", "RevokedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_record_envelopes_Owner_CreatedEpoch",
                table: "record_envelopes",
                columns: new[] { "Owner", "CreatedEpoch" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "access_grants");

            migrationBuilder.DropTable(
                name: "record_envelopes");

            migrationBuilder.DropTable(
                name: "record_epochs");

            migrationBuilder.DropIndex(
                name: "IX_resource_versions_Owner_ResourceType",
                table: "resource_versions");

            migrationBuilder.DropColumn(
                name: "EnvelopeId",
                table: "resource_versions");

            migrationBuilder.DropColumn(
                name: "Owner",
                table: "resource_versions");
        }
    }
}
