global using TransactionPipeline.Storage;
global using static TransactionPipeline.Sqlite.SqliteValues;
global using static TransactionPipeline.Storage.StoredValues;
