using System.Text;

namespace Navarch.Lab.Config;

/// <summary>
/// Reads the variable assignments of a kube-up style config (<c>export NAME=value</c>, <c>NAME=(word …)</c>,
/// quotes, <c>$NAME</c>, <c>${NAME}</c>, <c>${NAME:-default}</c>) without running a shell. Lines that are not
/// assignments (tests, functions, echo) are skipped: kube-up configs carry some, and the lab needs only the
/// variables. Command substitution is refused, since nothing here runs commands.
/// </summary>
public sealed class ShellAssignments
{
    private readonly string _text;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly Dictionary<string, IReadOnlyList<string>> _variables = new(StringComparer.Ordinal);
    private readonly HashSet<string> _arrays = new(StringComparer.Ordinal);
    private int _pos;

    private ShellAssignments(string text, IReadOnlyDictionary<string, string> environment)
    {
        _text = text;
        _environment = environment;
    }

    /// <summary>
    /// Parses <paramref name="text"/>; <c>${NAME:-default}</c> sees earlier assignments first, then
    /// <paramref name="environment"/> (as a shell sees exported variables). Throws <see cref="LabConfigException"/>
    /// naming the line of a malformed assignment.
    /// </summary>
    public static ShellAssignments Parse(string text, IReadOnlyDictionary<string, string> environment)
    {
        var parsed = new ShellAssignments(text, environment);
        parsed.ParseAll();
        return parsed;
    }

    /// <summary>The names assigned, in no particular order.</summary>
    public IEnumerable<string> Names => _variables.Keys;

    /// <summary>A scalar's value (an array's first element, as <c>$NAME</c> gives), or null when not assigned.</summary>
    public string? Scalar(string name) => _variables.TryGetValue(name, out var words) ? words.FirstOrDefault() ?? "" : null;

    /// <summary>An array's elements (a scalar is a one-element array), or null when not assigned.</summary>
    public IReadOnlyList<string>? Array(string name) => _variables.GetValueOrDefault(name);

    /// <summary>Whether <paramref name="name"/> was assigned with <c>( … )</c>.</summary>
    public bool IsArray(string name) => _arrays.Contains(name);

    private void ParseAll()
    {
        while (true)
        {
            SkipBlanks(newlines: true);
            if (_pos >= _text.Length) return;
            if (Peek == '#' || Peek == ';') { SkipLine(); continue; }
            var start = _pos;
            var word = ReadName();
            if (word is "export" or "readonly" or "declare" or "local")
            {
                SkipBlanks(newlines: false);
                start = _pos;
                word = ReadName();
            }
            if (word.Length == 0 || Peek != '=')
            {
                // Not an assignment (a command, a test): the lab has no use for it.
                _pos = start;
                SkipLine();
                continue;
            }
            _pos++;
            if (Peek == '(')
            {
                _pos++;
                _variables[word] = ReadArray();
                _arrays.Add(word);
            }
            else
            {
                _variables[word] = [ReadWord() ?? ""];
                _arrays.Remove(word);
            }
            SkipBlanks(newlines: false);
            if (_pos < _text.Length && Peek is not ('\n' or '#' or ';'))
                throw Error($"unexpected \"{RestOfLine()}\" after the value of {word}");
        }
    }

    private List<string> ReadArray()
    {
        var words = new List<string>();
        while (true)
        {
            SkipBlanks(newlines: true);
            if (_pos >= _text.Length) throw Error("unterminated array: missing \")\"");
            if (Peek == ')') { _pos++; return words; }
            if (Peek == '#') { SkipLine(); continue; }
            words.Add(ReadWord() ?? throw Error("unexpected character in array"));
        }
    }

    /// <summary>One shell word: bare characters, quoted parts and expansions up to an unquoted blank; null if none.</summary>
    private string? ReadWord()
    {
        var word = new StringBuilder();
        var any = false;
        while (_pos < _text.Length && Peek is not (' ' or '\t' or '\n' or '\r' or ';' or ')'))
        {
            if (Peek == '#' && !any) break;
            any = true;
            var c = _text[_pos++];
            switch (c)
            {
                case '\'':
                    var end = _text.IndexOf('\'', _pos);
                    if (end < 0) throw Error("unterminated ' quote", _pos - 1);
                    word.Append(_text, _pos, end - _pos);
                    _pos = end + 1;
                    break;
                case '"':
                    ReadDoubleQuoted(word);
                    break;
                case '\\' when _pos < _text.Length:
                    word.Append(_text[_pos++]);
                    break;
                case '$':
                    word.Append(Expand());
                    break;
                case '`' or '(':
                    throw Error("command substitution is not supported in the lab's config");
                default:
                    word.Append(c);
                    break;
            }
        }
        return any ? word.ToString() : null;
    }

    private void ReadDoubleQuoted(StringBuilder word)
    {
        var opened = _pos - 1;
        while (true)
        {
            if (_pos >= _text.Length) throw Error("unterminated \" quote", opened);
            var c = _text[_pos++];
            if (c == '"') return;
            if (c == '\\' && _pos < _text.Length && _text[_pos] is '"' or '\\' or '$' or '`') word.Append(_text[_pos++]);
            else if (c == '$') word.Append(Expand());
            else if (c == '`') throw Error("command substitution is not supported in the lab's config");
            else word.Append(c);
        }
    }

    /// <summary>After a <c>$</c>: <c>NAME</c>, <c>{NAME}</c>, <c>{NAME:-default}</c> or <c>{NAME-default}</c>.</summary>
    private string Expand()
    {
        if (_pos < _text.Length && _text[_pos] == '(') throw Error("command substitution is not supported in the lab's config");
        if (_pos >= _text.Length || _text[_pos] != '{')
        {
            var name = ReadName();
            return name.Length == 0 ? "$" : Lookup(name) ?? "";
        }
        _pos++;
        var braced = ReadName();
        if (braced.Length == 0) throw Error("bad ${…} substitution");
        if (Peek == '}') { _pos++; return Lookup(braced) ?? ""; }
        var colon = Peek == ':';
        if (colon) _pos++;
        if (Peek != '-') throw Error($"unsupported substitution in ${{{braced}…}}: only ${{NAME:-default}} is understood");
        _pos++;
        var fallback = new StringBuilder();
        while (true)
        {
            if (_pos >= _text.Length) throw Error("unterminated ${…}");
            var c = _text[_pos++];
            if (c == '}') break;
            if (c == '$') fallback.Append(Expand());
            else if (c != '"') fallback.Append(c);
        }
        var value = Lookup(braced);
        return value is null || (colon && value.Length == 0) ? fallback.ToString() : value;
    }

    private string? Lookup(string name) =>
        _variables.TryGetValue(name, out var words) ? words.FirstOrDefault() ?? "" : _environment.GetValueOrDefault(name);

    private string ReadName()
    {
        var start = _pos;
        while (_pos < _text.Length && (char.IsAsciiLetterOrDigit(_text[_pos]) || _text[_pos] == '_') && (_pos > start || !char.IsAsciiDigit(_text[_pos])))
            _pos++;
        return _text[start.._pos];
    }

    private char Peek => _pos < _text.Length ? _text[_pos] : '\0';

    private void SkipBlanks(bool newlines)
    {
        while (_pos < _text.Length && (_text[_pos] is ' ' or '\t' or '\r' || (newlines && _text[_pos] == '\n'))) _pos++;
    }

    private void SkipLine()
    {
        var end = _text.IndexOf('\n', _pos);
        _pos = end < 0 ? _text.Length : end + 1;
    }

    private string RestOfLine()
    {
        var end = _text.IndexOf('\n', _pos);
        return _text[_pos..(end < 0 ? _text.Length : end)].Trim();
    }

    private LabConfigException Error(string message, int? at = null) =>
        new($"line {_text.AsSpan(0, Math.Min(at ?? _pos, _text.Length)).Count('\n') + 1}: {message}");
}
