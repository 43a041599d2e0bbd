// StyleModels: see the module's files.
