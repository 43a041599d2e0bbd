// StyleNN: see the module's files.
import StyleTensor
