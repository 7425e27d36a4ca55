global using TransactionPipeline.Aggregation;
global using TransactionPipeline.Credit;
global using TransactionPipeline.Import;
global using TransactionPipeline.Import.Json;
global using TransactionPipeline.Jobs;
global using TransactionPipeline.Offers;
global using TransactionPipeline.Pipeline;
global using TransactionPipeline.Worker;
