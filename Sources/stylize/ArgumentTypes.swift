import ArgumentParser
import StylePipeline

extension ModelFamily: ExpressibleByArgument {}
