// ImageCodecs: see the module's files.
