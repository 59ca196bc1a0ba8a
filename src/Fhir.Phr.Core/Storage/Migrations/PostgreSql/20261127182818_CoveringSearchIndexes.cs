using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Fhir.Phr.Core.Storage.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class CoveringSearchIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_search_index_Param_Code_System",
                table: "search_index");

            migrationBuilder.DropIndex(
                name: "IX_search_index_Param_Low_High",
                table: "search_index");

            migrationBuilder.DropIndex(
                name: "IX_search_index_Param_RefId_RefType",
                table: "search_index");

            migrationBuilder.DropIndex(
                name: "IX_search_index_Param_Text",
                table: "search_index");

            migrationBuilder.DropIndex(
                name: "IX_resource_versions_ResourceType_SupersededAt_LastUpdated",
                table: "resource_versions");

            migrationBuilder.CreateIndex(
                name: "IX_search_index_Param_Code_System_ResourceVersionId",
                table: "search_index",
                columns: new[] { "Param", "Code", "System", "ResourceVersionId" },
                filter: "\"Code\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_search_index_Param_Low_High_ResourceVersionId",
                table: "search_index",
                columns: new[] { "Param", "Low", "High", "ResourceVersionId" },
                filter: "\"Low\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_search_index_Param_RefId_RefType_ResourceVersionId",
                table: "search_index",
                columns: new[] { "Param", "RefId", "RefType", "ResourceVersionId" },
                filter: "\"RefId\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_search_index_Param_Text_ResourceVersionId",
                table: "search_index",
                columns: new[] { "Param", "Text", "ResourceVersionId" },
                filter: "\"Text\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_resource_versions_ResourceType_SupersededAt_LastUpdated_IsD~",
                table: "resource_versions",
                columns: new[] { "ResourceType", "SupersededAt", "LastUpdated", "IsDeleted" })
                .Annotation("Npgsql:IndexInclude", new[] { "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_search_index_Param_Code_System_ResourceVersionId",
                table: "search_index");

            migrationBuilder.DropIndex(
                name: "IX_search_index_Param_Low_High_ResourceVersionId",
                table: "search_index");

            migrationBuilder.DropIndex(
                name: "IX_search_index_Param_RefId_RefType_ResourceVersionId",
                table: "search_index");

            migrationBuilder.DropIndex(
                name: "IX_search_index_Param_Text_ResourceVersionId",
                table: "search_index");

            migrationBuilder.DropIndex(
                name: "IX_resource_versions_ResourceType_SupersededAt_LastUpdated_IsD~",
                table: "resource_versions");

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
                name: "IX_resource_versions_ResourceType_SupersededAt_LastUpdated",
                table: "resource_versions",
                columns: new[] { "ResourceType", "SupersededAt", "LastUpdated" });
        }
    }
}
