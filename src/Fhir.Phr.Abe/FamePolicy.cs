using System.Globalization;
using System.Text;

namespace Fhir.Phr.Abe;

/// <summary>A policy text that does not parse; <see cref="Position"/> is the zero-based character offset.</summary>
public sealed class FamePolicyException : FormatException
{
    public FamePolicyException(string message, int position)
        : base($"Policy error at position {position}: {message}") => Position = position;

    public FamePolicyException()
    {
    }

    public FamePolicyException(string message)
        : base(message)
    {
    }

    public FamePolicyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public int Position { get; }
}

/// <summary>A monotone Boolean formula over attributes (thresholds already expanded).</summary>
internal abstract record PolicyNode
{
    public sealed record Leaf(string Attribute) : PolicyNode;

    public sealed record And(PolicyNode Left, PolicyNode Right) : PolicyNode;

    public sealed record Or(PolicyNode Left, PolicyNode Right) : PolicyNode;

    /// <summary>Number of leaves, i.e. MSP rows (a subtree shared by a threshold expansion counts each time).</summary>
    public int LeafCount => this switch
    {
        Leaf => 1,
        And a => a.Left.LeafCount + a.Right.LeafCount,
        Or o => o.Left.LeafCount + o.Right.LeafCount,
        _ => throw new InvalidOperationException(),
    };
}

/// <summary>
/// Parses policies such as <c>owner:pat-1 or (grant:pat-1:read and role:physician)</c> and
/// <c>2 of (a, b, "c d")</c>. Grammar:
/// <code>
/// or      := and ("or" and)*
/// and     := primary ("and" primary)*
/// primary := "(" or ")" | INTEGER "of" "(" or ("," or)* ")" | attribute
/// </code>
/// Keywords are case-insensitive. A bare attribute is any run of characters other than white space,
/// parentheses, commas and double quotes; a quoted attribute may contain anything, with \" and \\
/// as escapes.
/// </summary>
internal sealed class PolicyParser
{
    /// <summary>Upper bound on MSP rows after threshold expansion, to bound ciphertext size and work.</summary>
    public const int MaxRows = 1024;

    private readonly string _text;
    private int _pos;

    private PolicyParser(string text) => _text = text;

    public static PolicyNode Parse(string policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var parser = new PolicyParser(policy);
        parser.SkipSpace();
        if (parser._pos >= policy.Length) throw new FamePolicyException("the policy is empty", 0);
        var node = parser.ParseOr();
        parser.SkipSpace();
        if (parser._pos < policy.Length) throw new FamePolicyException($"unexpected '{policy[parser._pos]}'", parser._pos);
        if (node.LeafCount > MaxRows) throw new FamePolicyException($"the policy expands to more than {MaxRows} rows", 0);
        return node;
    }

    private void SkipSpace()
    {
        while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos])) _pos++;
    }

    private static bool IsBare(char c) => !char.IsWhiteSpace(c) && c is not '(' and not ')' and not ',' and not '"';

    /// <summary>Reads a bare word without consuming it; null at a delimiter.</summary>
    private string? PeekWord(out int end)
    {
        end = _pos;
        while (end < _text.Length && IsBare(_text[end])) end++;
        return end == _pos ? null : _text[_pos..end];
    }

    private bool TryKeyword(string keyword)
    {
        SkipSpace();
        var word = PeekWord(out int end);
        if (word is null || !word.Equals(keyword, StringComparison.OrdinalIgnoreCase)) return false;
        _pos = end;
        return true;
    }

    private PolicyNode ParseOr()
    {
        var node = ParseAnd();
        while (TryKeyword("or")) node = new PolicyNode.Or(node, ParseAnd());
        return node;
    }

    private PolicyNode ParseAnd()
    {
        var node = ParsePrimary();
        while (TryKeyword("and")) node = new PolicyNode.And(node, ParsePrimary());
        return node;
    }

    private void Expect(char c)
    {
        SkipSpace();
        if (_pos >= _text.Length) throw new FamePolicyException($"expected '{c}' but the policy ended", _pos);
        if (_text[_pos] != c) throw new FamePolicyException($"expected '{c}' but found '{_text[_pos]}'", _pos);
        _pos++;
    }

    private PolicyNode ParsePrimary()
    {
        SkipSpace();
        if (_pos >= _text.Length) throw new FamePolicyException("expected an attribute, '(' or a threshold but the policy ended", _pos);
        char c = _text[_pos];
        if (c == '(')
        {
            _pos++;
            var inner = ParseOr();
            Expect(')');
            return inner;
        }
        if (c == '"') return new PolicyNode.Leaf(ParseQuoted());
        int start = _pos;
        var word = PeekWord(out int end);
        if (word is null) throw new FamePolicyException($"expected an attribute but found '{c}'", _pos);
        if (word.Equals("and", StringComparison.OrdinalIgnoreCase) || word.Equals("or", StringComparison.OrdinalIgnoreCase) || word.Equals("of", StringComparison.OrdinalIgnoreCase))
            throw new FamePolicyException($"expected an attribute but found the keyword '{word}' (quote it to use it as a name)", _pos);
        _pos = end;
        if (word.All(char.IsAsciiDigit))
        {
            int save = _pos;
            if (TryKeyword("of")) return ParseThreshold(word, start);
            _pos = save;
        }
        return new PolicyNode.Leaf(word);
    }

    private string ParseQuoted()
    {
        int start = _pos;
        _pos++; // opening quote
        var sb = new StringBuilder();
        while (true)
        {
            if (_pos >= _text.Length) throw new FamePolicyException("unterminated quoted attribute", start);
            char c = _text[_pos++];
            if (c == '"') break;
            if (c == '\\')
            {
                if (_pos >= _text.Length) throw new FamePolicyException("unterminated escape in quoted attribute", _pos - 1);
                char e = _text[_pos++];
                if (e is not '"' and not '\\') throw new FamePolicyException($"unknown escape '\\{e}' (only \\\" and \\\\ are allowed)", _pos - 2);
                sb.Append(e);
                continue;
            }
            sb.Append(c);
        }
        if (sb.Length == 0) throw new FamePolicyException("an attribute name must not be empty", start);
        return sb.ToString();
    }

    private PolicyNode ParseThreshold(string number, int numberPos)
    {
        if (!int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out int k))
            throw new FamePolicyException($"threshold '{number}' is too large", numberPos);
        Expect('(');
        var items = new List<PolicyNode> { ParseOr() };
        while (true)
        {
            SkipSpace();
            if (_pos < _text.Length && _text[_pos] == ',')
            {
                _pos++;
                items.Add(ParseOr());
                continue;
            }
            break;
        }
        Expect(')');
        if (k < 1 || k > items.Count)
            throw new FamePolicyException($"threshold {k} of {items.Count} is impossible: it must be between 1 and {items.Count}", numberPos);
        // Items can be formulas themselves: bound the product so nested thresholds cannot explode.
        if (Expansion(k, items.Count) * items.Max(i => (long)i.LeafCount) > MaxRows)
            throw new FamePolicyException($"threshold {k} of {items.Count} expands to more than {MaxRows} rows", numberPos);
        return Expand(k, items, 0);
    }

    /// <summary>Leaves produced by <see cref="Expand"/> per item leaf, as a bound check before building.</summary>
    private static long Expansion(int k, int n)
    {
        // T(k, n) leaf multiplicity: T(1, n) = n, T(n, n) = n, T(k, n) = 1 + T(k-1, n-1) + T(k, n-1).
        var memo = new Dictionary<(int, int), long>();
        long T(int kk, int nn)
        {
            if (kk == 1 || kk == nn) return nn;
            if (memo.TryGetValue((kk, nn), out var v)) return v;
            v = System.Math.Min(long.MaxValue / 4, 1 + T(kk - 1, nn - 1) + T(kk, nn - 1));
            memo[(kk, nn)] = v;
            return v;
        }
        return T(k, n);
    }

    /// <summary>
    /// k-of-n as AND/OR: (x1 and (k-1 of rest)) or (k of rest). Lewko–Waters matrices need a formula,
    /// and this keeps every reconstruction coefficient equal to 1.
    /// </summary>
    private static PolicyNode Expand(int k, List<PolicyNode> items, int from)
    {
        int n = items.Count - from;
        if (k == 1)
        {
            var node = items[from];
            for (int i = from + 1; i < items.Count; i++) node = new PolicyNode.Or(node, items[i]);
            return node;
        }
        if (k == n)
        {
            var node = items[from];
            for (int i = from + 1; i < items.Count; i++) node = new PolicyNode.And(node, items[i]);
            return node;
        }
        return new PolicyNode.Or(new PolicyNode.And(items[from], Expand(k - 1, items, from + 1)), Expand(k, items, from + 1));
    }
}

/// <summary>
/// The Lewko–Waters monotone span program of a formula (eprint 2010/351 Appendix G; Charm msp.py):
/// entries are 0, 1 or −1, and a minimal satisfying row set sums to (1, 0, …, 0), so every
/// reconstruction coefficient is 1.
/// </summary>
internal sealed class MonotoneSpanProgram
{
    public required string[] RowAttributes { get; init; }

    /// <summary>Row-major entries in {−1, 0, 1}.</summary>
    public required sbyte[][] Rows { get; init; }

    public required int Columns { get; init; }

    public static MonotoneSpanProgram Build(PolicyNode root)
    {
        var attributes = new List<string>();
        var rows = new List<sbyte[]>();
        int c = 1;
        void Walk(PolicyNode node, sbyte[] vector)
        {
            switch (node)
            {
                case PolicyNode.Leaf leaf:
                    attributes.Add(leaf.Attribute);
                    rows.Add(vector);
                    break;
                case PolicyNode.Or or:
                    Walk(or.Left, vector);
                    Walk(or.Right, vector);
                    break;
                case PolicyNode.And and:
                    // Left gets v padded to c entries then 1; right gets c zeros then −1.
                    var left = new sbyte[c + 1];
                    vector.AsSpan().CopyTo(left);
                    left[c] = 1;
                    var right = new sbyte[c + 1];
                    right[c] = -1;
                    c++;
                    Walk(and.Left, left);
                    Walk(and.Right, right);
                    break;
            }
        }
        Walk(root, [1]);
        var padded = rows.Select(r =>
        {
            var p = new sbyte[c];
            r.AsSpan().CopyTo(p);
            return p;
        }).ToArray();
        return new MonotoneSpanProgram { RowAttributes = [.. attributes], Rows = padded, Columns = c };
    }

    /// <summary>
    /// Rows (in leaf order) of a minimal satisfying set: both children at AND, the cheaper satisfied
    /// child at OR. Null when the attributes do not satisfy the formula.
    /// </summary>
    public static List<int>? Satisfy(PolicyNode root, IReadOnlySet<string> attributes)
    {
        int next = 0;
        List<int>? Walk(PolicyNode node)
        {
            switch (node)
            {
                case PolicyNode.Leaf leaf:
                    int row = next++;
                    return attributes.Contains(leaf.Attribute) ? [row] : null;
                case PolicyNode.And and:
                {
                    var l = Walk(and.Left);
                    var r = Walk(and.Right);
                    if (l is null || r is null) return null;
                    l.AddRange(r);
                    return l;
                }
                case PolicyNode.Or or:
                {
                    var l = Walk(or.Left);
                    var r = Walk(or.Right);
                    if (l is null) return r;
                    if (r is null) return l;
                    return l.Count <= r.Count ? l : r;
                }
                default:
                    throw new InvalidOperationException();
            }
        }
        return Walk(root);
    }
}
