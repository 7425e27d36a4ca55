global using TransactionPipeline.Testing.Conformance;
