using Hl7.Fhir.Introspection;
using Hl7.Fhir.Model;

namespace Fhir.Phr.Core.Patching;

/// <summary>
/// Turns the "value" part of a FHIRPath Patch operation into the POCO that goes into the target
/// element. fhirpatch.html: the value is a datatype (value[x]), a resource, or — for anonymous
/// types such as BackboneElements, which have no value[x] — a set of nested parts, one per child
/// element, each of which is again a value.
/// </summary>
internal static class FhirPatchValueBuilder
{
    /// <summary>Builds the value for <paramref name="property"/>; returns the reason when it cannot.</summary>
    public static string? Build(Parameters.ParameterComponent valuePart, PropertyMapping property, out Base value)
    {
        value = null!;
        if (valuePart.Value is DataType data)
        {
            // Copied, so the patched resource never shares instances with the patch.
            return Convert((DataType)data.DeepCopy(), property, out value);
        }

        if (valuePart.Resource is Resource resource)
        {
            if (!property.ImplementingType.IsInstanceOfType(resource))
            {
                return $"a {resource.TypeName} resource cannot be used for element '{property.Name}' (of type {FhirTypeName(property)})";
            }

            value = (Resource)resource.DeepCopy();
            return null;
        }

        return BuildAnonymous(valuePart, property, out value);
    }

    private static string? BuildAnonymous(Parameters.ParameterComponent valuePart, PropertyMapping property, out Base value)
    {
        value = null!;
        var type = property.ImplementingType;
        if (type.IsAbstract || typeof(PrimitiveType).IsAssignableFrom(type) || !typeof(Base).IsAssignableFrom(type))
        {
            return $"element '{property.Name}' is of type {FhirTypeName(property)}, which cannot be given as nested parts; use value[x]";
        }

        var instance = (Base)Activator.CreateInstance(type)!;
        foreach (var part in valuePart.Part)
        {
            var name = part.Name;
            if (string.IsNullOrEmpty(name) || !FhirPathPatch.TryFindProperty(type, name, out var child))
            {
                return $"'{name}' is not an element of {instance.TypeName}";
            }

            if (part.Value is null && part.Resource is null && part.Part.Count == 0)
            {
                return $"part '{name}' of the value has no content";
            }

            var childError = Build(part, child, out var childValue);
            if (childError is not null)
            {
                return $"{instance.TypeName}.{name}: {childError}";
            }

            if (child.IsCollection)
            {
                FhirPathPatch.GetList(instance, child).Add(childValue);
            }
            else if (FhirPathPatch.GetProperty(instance, child) is not null)
            {
                return $"{instance.TypeName}.{name} is not a list but is given more than once";
            }
            else
            {
                FhirPathPatch.SetProperty(instance, child, childValue);
            }
        }

        value = instance;
        return null;
    }

    /// <summary>
    /// Checks the value's type against the element and, for primitives, converts between FHIR
    /// primitive types that share a lexical form: a patch carries e.g. valueCode for a
    /// Code&lt;AdministrativeGender&gt; element, or valueString for Narrative.div (xhtml has no
    /// value[x] in Parameters, so the HL7 test cases send it as a string).
    /// </summary>
    private static string? Convert(DataType data, PropertyMapping property, out Base value)
    {
        value = data;
        var target = property.ImplementingType;

        if (property.Choice == ChoiceType.DatatypeChoice)
        {
            // A choice element (value[x]) takes any of its listed types as is.
            return property.FhirType.Any(t => t.IsInstanceOfType(data))
                ? null
                : $"a {data.TypeName} cannot be used for element '{property.Name}[x]'; allowed types are {FhirTypeName(property)}";
        }

        if (target.IsInstanceOfType(data))
        {
            return null;
        }

        if (data is PrimitiveType source && typeof(PrimitiveType).IsAssignableFrom(target) && !target.IsAbstract)
        {
            var converted = (PrimitiveType)Activator.CreateInstance(target)!;
            converted.ElementId = source.ElementId;
            converted.Extension.AddRange(source.Extension);
            converted.JsonValue = source.JsonValue;
            bool valid;
            try
            {
                valid = source.JsonValue is null || converted.HasValidValue();
            }
            catch (Exception ex) when (ex is InvalidCastException or FormatException or InvalidOperationException or ArgumentException)
            {
                valid = false;
            }

            if (!valid)
            {
                return $"the {source.TypeName} value '{source.JsonValue}' is not a valid {FhirTypeName(property)} for element '{property.Name}'";
            }

            value = converted;
            return null;
        }

        return $"a {data.TypeName} cannot be used for element '{property.Name}' (of type {FhirTypeName(property)})";
    }

    private static string FhirTypeName(PropertyMapping property) =>
        string.Join(" | ", property.FhirTypeMappings.Select(m => m.Name));
}
