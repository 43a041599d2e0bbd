// StyleWeights: see the module's files.
