using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Fhir.Phr.Core.Storage.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class PartialSearchIndexes : Migration
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
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
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

            migrationBuilder.CreateIndex(
                name: "IX_search_index_Param_Code_System",
                table: "search_index",
                columns: new[] { "Param", "Code", "System" });

            migrationBuilder.CreateIndex(
                name: "IX_search_index_Param_Low_High",
                table: "search_index",
                columns: new[] { "Param", "Low", "High" });

            migrationBuilder.CreateIndex(
                name: "IX_search_index_Param_RefId_RefType",
                table: "search_index",
                columns: new[] { "Param", "RefId", "RefType" });

            migrationBuilder.CreateIndex(
                name: "IX_search_index_Param_Text",
                table: "search_index",
                columns: new[] { "Param", "Text" });
        }
    }
}
