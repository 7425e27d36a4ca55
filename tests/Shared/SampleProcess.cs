using System.Diagnostics;
using System.Text;

namespace TransactionPipeline.Tests.Shared;

/// <summary>A sample program run as its own process, the way a user runs it, with its output kept for the test's messages.</summary>
internal sealed class SampleProcess : IDisposable
{
    private readonly StringBuilder _output = new();
    private readonly Lock _lock = new();

    private SampleProcess(Process process)
    {
        Process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Process Process { get; }

    /// <summary>Gets what the process wrote so far, standard output and error together.</summary>
    public string Output
    {
        get
        {
            lock (_lock)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts a sample built next to the tests (<c>artifacts/bin/&lt;project&gt;/&lt;configuration&gt;/</c>), or the copy the test project references.</summary>
    public static SampleProcess Start(string project, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var tests = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        // The sample's own output first: a copy in a test folder shares that folder's assemblies, which are the test
        // project's (one that references ASP.NET Core has no copy of what that shared framework holds, and a console
        // sample does not load that framework).
        var own = Path.Combine(tests.Parent!.Parent!.FullName, project, tests.Name, project + ".dll");
        var dll = File.Exists(own) ? own : Path.Combine(tests.FullName, project + ".dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"The sample {project} is not built at {dll}.", dll);
        }

        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return new SampleProcess(Process.Start(start)!);
    }

    /// <summary>Runs a sample to its end and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string project, IEnumerable<string> arguments, TimeSpan timeout)
    {
        using var process = Start(project, arguments);
        await process.Process.WaitForExitAsync().WaitAsync(timeout);
        return (process.Process.ExitCode, process.Output);
    }

    /// <summary>Waits until the output holds <paramref name="text"/>.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        using var expiry = new CancellationTokenSource(timeout);
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (Process.HasExited || expiry.IsCancellationRequested)
            {
                throw new TimeoutException($"The sample did not write \"{text}\" (exited: {Process.HasExited}). Its output:\n{Output}");
            }

            await Task.Delay(20, CancellationToken.None);
        }
    }

    /// <summary>Kills the process as <c>kill -9</c> does: no shutdown code of its runs.</summary>
    public void KillHard()
    {
        Process.Kill(entireProcessTree: true);
        Process.WaitForExit();
    }

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            KillHard();
        }

        Process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lock)
        {
            _output.AppendLine(line);
        }
    }
}
