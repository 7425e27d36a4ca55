using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Running;
using TransactionPipeline.Benchmarks;

// Micro benchmarks:  dotnet run -c Release --project benchmarks/TransactionPipeline.Benchmarks -- --filter '*'
// End to end:        dotnet run -c Release --project benchmarks/TransactionPipeline.Benchmarks -- e2e --size 1GB [--json out.json]
// Chart:             ... -- chart docs/benchmarks.svg 100mb.json 1gb.json 5gb.json   (reports written by e2e --json)
// One case (used by e2e, one child process per case so that peak memory is per case): run-case NAME FILE
// Reader fuzz:       ... -- fuzz --count 1000000 [--seed 20261202]   (against an independent reference decoder)
// HTTP load:         ... -- load [--jobs 1000] [--subscribers 5]       (the WebApi sample, built in Release, in its own process)
// HTTP upload:       ... -- upload --file 1gb.json [--cut-every 64MB] [--repeat 3] [--modes post,resumable,resumable-with-cuts]   (POST vs tus resumable, with and without cuts)
return args.FirstOrDefault() switch
{
    "e2e" => await EndToEnd.RunAsync(args[1..]),
    "run-case" => await Cases.RunInChildAsync(args[1], args[2]),
    "chart" => await Chart.RunAsync(args[1..]),
    "load" => await LoadCase.RunAsync(args[1..]),
    "upload" => await UploadCase.RunAsync(args[1..]),
    "fuzz" => await TransactionPipeline.Benchmarks.Fuzz.FuzzCommand.RunAsync(args[1..]),
    _ => RunMicroBenchmarks(args),
};

static int RunMicroBenchmarks(string[] args)
{
    var config = DefaultConfig.Instance.AddDiagnoser(MemoryDiagnoser.Default);
    BenchmarkSwitcher.FromAssembly(typeof(Cases).Assembly).Run(args, config);
    return 0;
}
