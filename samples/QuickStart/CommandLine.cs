namespace QuickStart;

/// <summary>Positional arguments and <c>--name value</c> options, with no dependency to learn.</summary>
internal sealed class CommandLine
{
    private readonly List<string> _positional = [];
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);

    public static CommandLine Parse(string[] args)
    {
        var line = new CommandLine();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i].StartsWith("--", StringComparison.Ordinal))
            {
                var hasValue = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal);
                line._options[args[i]] = hasValue ? args[++i] : null;
            }
            else
            {
                line._positional.Add(args[i]);
            }
        }

        return line;
    }

    public string Positional(int index, string name) =>
        index < _positional.Count ? _positional[index] : throw new FormatException($"Missing {name}.");

    public string? Value(string name) => _options.GetValueOrDefault(name);

    public bool Has(string name) => _options.ContainsKey(name);

    /// <summary>Refuses options the command does not take, so a typo is not ignored silently.</summary>
    /// <exception cref="FormatException">An option is not one of <paramref name="allowed"/>.</exception>
    public CommandLine Allow(string command, params string[] allowed)
    {
        foreach (var name in _options.Keys)
        {
            if (!allowed.Contains(name, StringComparer.Ordinal))
            {
                throw new FormatException(allowed.Length == 0
                    ? $"Unknown option {name}: {command} takes none."
                    : $"Unknown option {name} for {command}; it takes {string.Join(", ", allowed)}.");
            }
        }

        return this;
    }

    public CommandLine With(string name, string value)
    {
        var copy = new CommandLine();
        copy._positional.AddRange(_positional);
        foreach (var (key, existing) in _options)
        {
            copy._options[key] = existing;
        }

        copy._options[name] = value;
        return copy;
    }
}
