// StylePipeline: see the module's files.
