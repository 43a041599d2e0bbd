// One import for library users: `import StylizeKit` brings in every module of the engine.
// Each module can also be imported alone (see the Architecture article).
@_exported import ImageCodecs
@_exported import StyleKernels
@_exported import StyleModels
@_exported import StyleNN
@_exported import StylizeEngine
@_exported import StyleBatch
@_exported import StyleSheets
@_exported import StyleTensor
@_exported import StyleVideo
@_exported import StyleWeights
