using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Fhir.Phr.Core.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ingest_jobs",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    SourceBinaryId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    ContentType = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    Source = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    Status = table.Column<int>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    CompletedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    ItemsTotal = table.Column<int>(type: "INTEGER", nullable: false),
                    ItemsDone = table.Column<int>(type: "INTEGER", nullable: false),
                    ResultJson = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ingest_jobs", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "resource_versions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ResourceType = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    ResourceId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    LastUpdated = table.Column<DateTime>(type: "TEXT", nullable: false),
                    SupersededAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    IsDeleted = table.Column<bool>(type: "INTEGER", nullable: false),
                    Method = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    Payload = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_resource_versions", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "search_index",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ResourceVersionId = table.Column<long>(type: "INTEGER", nullable: false),
                    Param = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    Kind = table.Column<int>(type: "INTEGER", nullable: false),
                    Text = table.Column<string>(type: "TEXT", nullable: true),
                    System = table.Column<string>(type: "TEXT", nullable: true),
                    Code = table.Column<string>(type: "TEXT", nullable: true),
                    Low = table.Column<DateTime>(type: "TEXT", nullable: true),
                    High = table.Column<DateTime>(type: "TEXT", nullable: true),
                    Number = table.Column<double>(type: "REAL", nullable: true),
                    RefType = table.Column<string>(type: "TEXT", nullable: true),
                    RefId = table.Column<string>(type: "TEXT", nullable: true),
                    Blind = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_search_index", x => x.Id);
                    table.ForeignKey(
                        name: "FK_search_index_resource_versions_ResourceVersionId",
                        column: x => x.ResourceVersionId,
                        principalTable: "resource_versions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_resource_versions_LastUpdated",
                table: "resource_versions",
                column: "LastUpdated");

            migrationBuilder.CreateIndex(
                name: "IX_resource_versions_ResourceType_ResourceId_Version",
                table: "resource_versions",
                columns: new[] { "ResourceType", "ResourceId", "Version" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_resource_versions_ResourceType_SupersededAt_LastUpdated",
                table: "resource_versions",
                columns: new[] { "ResourceType", "SupersededAt", "LastUpdated" });

            migrationBuilder.CreateIndex(
                name: "IX_search_index_Param_Code_System",
                table: "search_index",
                columns: new[] { "Param", "Code", "System" },
                filter: "\"Code\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_search_index_Param_Low_High",
                table: "search_index",
                columns: new[] { "Param", "Low", "High" },
                filter: "\"Low\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_search_index_Param_RefId_RefType",
                table: "search_index",
                columns: new[] { "Param", "RefId", "RefType" },
                filter: "\"RefId\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_search_index_Param_Text",
                table: "search_index",
                columns: new[] { "Param", "Text" },
                filter: "\"Text\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_search_index_ResourceVersionId",
                table: "search_index",
                column: "ResourceVersionId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ingest_jobs");

            migrationBuilder.DropTable(
                name: "search_index");

            migrationBuilder.DropTable(
                name: "resource_versions");
        }
    }
}
