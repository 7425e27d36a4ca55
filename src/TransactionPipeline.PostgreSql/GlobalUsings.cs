global using TransactionPipeline.Storage;
global using static TransactionPipeline.PostgreSql.PostgreSqlValues;
global using static TransactionPipeline.Storage.StoredValues;
