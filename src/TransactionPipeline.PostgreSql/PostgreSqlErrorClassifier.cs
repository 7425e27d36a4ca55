using System.Net.Sockets;
using Npgsql;

namespace TransactionPipeline.PostgreSql;

/// <summary>Says which PostgreSQL errors mean a full disk and which a server that cannot be reached, so a job stopped by one fails with that reason.</summary>
internal sealed class PostgreSqlErrorClassifier : IStoreErrorClassifier
{
    public JobErrorKind? Classify(Exception exception) => exception switch
    {
        // disk_full; the rest of class 53 (insufficient resources: memory, connections) and of class 08 (connection),
        // and an administrator's or a crash's shutdown, mean the server cannot serve now.
        PostgresException { SqlState: PostgresErrorCodes.DiskFull } => JobErrorKind.StorageFull,
        PostgresException { SqlState: { } state } when state.StartsWith("53", StringComparison.Ordinal) || state.StartsWith("08", StringComparison.Ordinal)
            || state is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow
            => JobErrorKind.StoreUnavailable,
        PostgresException => null,

        // The connection failed or broke: refused, reset, timed out.
        NpgsqlException { IsTransient: true } => JobErrorKind.StoreUnavailable,
        NpgsqlException { InnerException: SocketException or IOException or TimeoutException } => JobErrorKind.StoreUnavailable,

        // A COPY stream ends under its writer only when the server ended the COPY: the connection broke or the server went down.
        ObjectDisposedException { ObjectName: "NpgsqlRawCopyStream" or "NpgsqlBinaryImporter" } => JobErrorKind.StoreUnavailable,
        _ => null,
    };
}
