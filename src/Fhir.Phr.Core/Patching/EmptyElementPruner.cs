using System.Collections;
using Hl7.Fhir.Model;

namespace Fhir.Phr.Core.Patching;

/// <summary>
/// Removes elements left without value or children by a patch. FHIR forbids empty elements
/// (json.html "Elements ... SHALL have a value or children"; xml.html likewise), so after
/// "delete Patient.contact[0].name.text" the now-empty name goes too.
/// </summary>
internal static class EmptyElementPruner
{
    public static void Prune(Base node)
    {
        var mapping = Hl7.Fhir.Model.ModelInfo.ModelInspector.FindOrImportClassMapping(node.GetType());
        if (mapping is null)
        {
            return;
        }

        foreach (var property in mapping.PropertyMappings)
        {
            if (property.NativeProperty is null || property.RepresentsValueElement)
            {
                continue;
            }

            var current = property.NativeProperty.GetValue(node);
            if (current is IList list)
            {
                for (var i = list.Count - 1; i >= 0; i--)
                {
                    if (list[i] is Base item && PruneChild(item))
                    {
                        list.RemoveAt(i);
                    }
                }
            }
            else if (current is Base child && PruneChild(child))
            {
                property.NativeProperty.SetValue(node, null);
            }
        }
    }

    /// <summary>Prunes a child and tells whether it is now empty (and so must go).</summary>
    private static bool PruneChild(Base child)
    {
        Prune(child);

        // A (contained) resource is never dropped: an empty one is a content error to report, not hide.
        return child is not Resource && IsEmpty(child);
    }

    // A primitive's own value is not one of its enumerated elements, so it is checked directly.
    private static bool IsEmpty(Base node) => node is PrimitiveType primitive
        ? primitive.JsonValue is null && primitive.ElementId is null && primitive.Extension.Count == 0
        : !node.EnumerateElements().Any();
}
