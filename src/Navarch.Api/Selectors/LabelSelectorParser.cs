namespace Navarch.Api.Selectors;

/// <summary>Upstream's label selector lexer and recursive-descent parser, with its error texts.</summary>
internal sealed class LabelSelectorParser
{
    private enum Token
    {
        Error,
        EndOfString,
        ClosedPar,
        Comma,
        DoesNotExist,
        DoubleEquals,
        Equals,
        GreaterThan,
        Identifier,
        In,
        LessThan,
        NotEquals,
        NotIn,
        OpenPar,
    }

    private static readonly Dictionary<string, Token> Keywords = new(StringComparer.Ordinal)
    {
        [")"] = Token.ClosedPar,
        [","] = Token.Comma,
        ["!"] = Token.DoesNotExist,
        ["=="] = Token.DoubleEquals,
        ["="] = Token.Equals,
        [">"] = Token.GreaterThan,
        ["in"] = Token.In,
        ["<"] = Token.LessThan,
        ["!="] = Token.NotEquals,
        ["notin"] = Token.NotIn,
        ["("] = Token.OpenPar,
    };

    private const string BinaryOperators = "in, notin, =, ==, !=, gt, lt";

    private readonly List<(Token Tok, string Lit)> _items = [];
    private int _position;

    private LabelSelectorParser(string text)
    {
        var lexer = new Lexer(text);
        while (true)
        {
            var item = lexer.Next();
            _items.Add(item);
            if (item.Tok == Token.EndOfString)
            {
                break;
            }
        }
    }

    public static List<LabelRequirement> Parse(string text) => new LabelSelectorParser(text).ParseAll();

    private List<LabelRequirement> ParseAll()
    {
        var requirements = new List<LabelRequirement>();
        while (true)
        {
            var (tok, lit) = Lookahead(values: true);
            switch (tok)
            {
                case Token.Identifier or Token.DoesNotExist:
                    requirements.Add(ParseRequirement());
                    var (t, l) = Consume(values: true);
                    switch (t)
                    {
                        case Token.EndOfString:
                            return requirements;
                        case Token.Comma:
                            var (t2, l2) = Lookahead(values: true);
                            if (t2 is not (Token.Identifier or Token.DoesNotExist))
                            {
                                throw new SelectorException($"found '{l2}', expected: identifier after ','");
                            }
                            break;
                        default:
                            throw new SelectorException($"found '{l}', expected: ',' or 'end of string'");
                    }
                    break;
                case Token.EndOfString:
                    return requirements;
                default:
                    throw new SelectorException($"found '{lit}', expected: !, identifier, or 'end of string'");
            }
        }
    }

    private const string Prefix = "unable to parse requirement: ";

    private LabelRequirement ParseRequirement()
    {
        var (key, op) = ParseKeyAndInferOperator();
        if (op is SelectorOperator.Exists or SelectorOperator.DoesNotExist)
        {
            return RequirementRules.Create(key, op.Value, [], Prefix);
        }
        var binary = ParseOperator();
        var values = binary is SelectorOperator.In or SelectorOperator.NotIn ? ParseValues() : ParseExactValue();
        return RequirementRules.Create(key, binary, values.Order(StringComparer.Ordinal).ToList(), Prefix);
    }

    private (string Key, SelectorOperator? Op) ParseKeyAndInferOperator()
    {
        SelectorOperator? op = null;
        var (tok, literal) = Consume(values: true);
        if (tok == Token.DoesNotExist)
        {
            op = SelectorOperator.DoesNotExist;
            (tok, literal) = Consume(values: true);
        }
        if (tok != Token.Identifier)
        {
            throw new SelectorException($"{Prefix}found '{literal}', expected: identifier");
        }
        if (RequirementRules.KeyError(literal, "<nil>") is { } error)
        {
            throw new SelectorException(Prefix + error.Message);
        }
        var (next, _) = Lookahead(values: true);
        if (next is Token.EndOfString or Token.Comma && op != SelectorOperator.DoesNotExist)
        {
            op = SelectorOperator.Exists;
        }
        return (literal, op);
    }

    private SelectorOperator ParseOperator()
    {
        var (tok, lit) = Consume(values: false);
        return tok switch
        {
            Token.In => SelectorOperator.In,
            Token.Equals => SelectorOperator.Equals,
            Token.DoubleEquals => SelectorOperator.DoubleEquals,
            Token.GreaterThan => SelectorOperator.GreaterThan,
            Token.LessThan => SelectorOperator.LessThan,
            Token.NotIn => SelectorOperator.NotIn,
            Token.NotEquals => SelectorOperator.NotEquals,
            _ => throw new SelectorException($"{Prefix}found '{lit}', expected: {BinaryOperators}"),
        };
    }

    private SortedSet<string> ParseValues()
    {
        var (tok, lit) = Consume(values: true);
        if (tok != Token.OpenPar)
        {
            throw new SelectorException($"{Prefix}found '{lit}' expected: '('");
        }
        (tok, lit) = Lookahead(values: true);
        switch (tok)
        {
            case Token.Identifier or Token.Comma:
                var set = ParseIdentifiersList();
                if (Consume(values: true).Tok != Token.ClosedPar)
                {
                    throw new SelectorException($"{Prefix}found '{lit}', expected: ')'");
                }
                return set;
            case Token.ClosedPar:
                Consume(values: true);
                return new SortedSet<string>(StringComparer.Ordinal) { "" };
            default:
                throw new SelectorException($"{Prefix}found '{lit}', expected: ',', ')' or identifier");
        }
    }

    private SortedSet<string> ParseIdentifiersList()
    {
        var set = new SortedSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var (tok, lit) = Consume(values: true);
            switch (tok)
            {
                case Token.Identifier:
                    set.Add(lit);
                    var (tok2, lit2) = Lookahead(values: true);
                    switch (tok2)
                    {
                        case Token.Comma:
                            continue;
                        case Token.ClosedPar:
                            return set;
                        default:
                            throw new SelectorException($"{Prefix}found '{lit2}', expected: ',' or ')'");
                    }
                case Token.Comma:
                    // "(,", ",)" and ",," each denote an empty value.
                    if (set.Count == 0)
                    {
                        set.Add("");
                    }
                    var (next, _) = Lookahead(values: true);
                    if (next == Token.ClosedPar)
                    {
                        set.Add("");
                        return set;
                    }
                    if (next == Token.Comma)
                    {
                        set.Add("");
                    }
                    break;
                default:
                    throw new SelectorException($"{Prefix}found '{lit}', expected: ',', or identifier");
            }
        }
    }

    private SortedSet<string> ParseExactValue()
    {
        var set = new SortedSet<string>(StringComparer.Ordinal);
        var (tok, _) = Lookahead(values: true);
        if (tok is Token.EndOfString or Token.Comma)
        {
            set.Add("");
            return set;
        }
        var (consumed, lit) = Consume(values: true);
        if (consumed == Token.Identifier)
        {
            set.Add(lit);
            return set;
        }
        throw new SelectorException($"{Prefix}found '{lit}', expected: identifier");
    }

    private (Token Tok, string Lit) Lookahead(bool values) => InContext(_items[_position], values);

    private (Token Tok, string Lit) Consume(bool values) => InContext(_items[_position++], values);

    // 'in' and 'notin' are plain identifiers where values are expected ("x in (in)").
    private static (Token Tok, string Lit) InContext((Token Tok, string Lit) item, bool values) =>
        values && item.Tok is Token.In or Token.NotIn ? (Token.Identifier, item.Lit) : item;

    private sealed class Lexer(string text)
    {
        private int _pos;

        public (Token Tok, string Lit) Next()
        {
            var ch = Read();
            while (IsWhitespace(ch))
            {
                ch = Read();
            }
            if (ch == '\0')
            {
                return (Token.EndOfString, "");
            }
            _pos--;
            return IsSpecial(ch) ? ScanSpecial() : ScanIdentifierOrKeyword();
        }

        private char Read() => _pos < text.Length ? text[_pos++] : Advance();

        // Reading past the end still moves the position, as upstream's lexer does, so unread stays symmetric.
        private char Advance()
        {
            _pos++;
            return '\0';
        }

        private (Token, string) ScanIdentifierOrKeyword()
        {
            var start = _pos;
            while (true)
            {
                var ch = Read();
                if (ch == '\0')
                {
                    _pos--;
                    break;
                }
                if (IsSpecial(ch) || IsWhitespace(ch))
                {
                    _pos--;
                    break;
                }
            }
            var s = text[start.._pos];
            return Keywords.TryGetValue(s, out var tok) ? (tok, s) : (Token.Identifier, s);
        }

        private (Token, string) ScanSpecial()
        {
            var buffer = "";
            (Token Tok, string Lit)? last = null;
            while (true)
            {
                var ch = Read();
                if (ch == '\0')
                {
                    _pos--;
                    break;
                }
                if (!IsSpecial(ch))
                {
                    _pos--;
                    break;
                }
                buffer += ch;
                if (Keywords.TryGetValue(buffer, out var tok))
                {
                    last = (tok, buffer);
                }
                else if (last is not null)
                {
                    _pos--;
                    break;
                }
            }
            return last ?? (Token.Error, $"error expected: keyword found '{buffer}'");
        }

        private static bool IsWhitespace(char ch) => ch is ' ' or '\t' or '\r' or '\n';

        private static bool IsSpecial(char ch) => ch is '=' or '!' or '(' or ')' or ',' or '>' or '<';
    }
}
