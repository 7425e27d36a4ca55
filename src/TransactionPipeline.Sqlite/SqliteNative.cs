using System.Runtime.InteropServices;
using SQLitePCL;

namespace TransactionPipeline.Sqlite;

/// <summary>Direct calls into <c>e_sqlite3</c> for the bind and step loop of the bulk insert.</summary>
/// <remarks>
/// SQLitePCLRaw passes statements as <see cref="SafeHandle"/>s, so each call adds and releases a reference; with five
/// binds and a step per row that cost ~20% of an insert. Used only when SQLitePCLRaw itself runs on <c>e_sqlite3</c>
/// (the bundle this package references) and the library loaded here reports the same version; with any other provider
/// the insert goes through SQLitePCLRaw. The caller keeps the statement handle alive while it uses the raw pointer.
/// </remarks>
internal static partial class SqliteNative
{
    private const string Library = "e_sqlite3";

    /// <summary>SQLITE_TRANSIENT: SQLite copies the value before the call returns.</summary>
    private const nint Transient = -1;

    /// <summary>Gets a value indicating whether the direct calls reach the library SQLitePCLRaw uses.</summary>
    public static bool IsAvailable { get; } = Probe();

    public static int BindText(nint statement, int index, ReadOnlySpan<byte> utf8) =>
        sqlite3_bind_text(statement, index, ref MemoryMarshal.GetReference(utf8), utf8.Length, Transient);

    [LibraryImport(Library, EntryPoint = "sqlite3_bind_int64")]
    internal static partial int BindInt64(nint statement, int index, long value);

    [LibraryImport(Library, EntryPoint = "sqlite3_step")]
    internal static partial int Step(nint statement);

    [LibraryImport(Library, EntryPoint = "sqlite3_reset")]
    internal static partial int Reset(nint statement);

    [LibraryImport(Library)]
    private static partial int sqlite3_bind_text(nint statement, int index, ref byte text, int length, nint destructor);

    [LibraryImport(Library)]
    private static partial int sqlite3_libversion_number();

    private static bool Probe()
    {
        try
        {
            return raw.GetNativeLibraryName() == Library && sqlite3_libversion_number() == raw.sqlite3_libversion_number();
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return false;
        }
    }
}
