import ArgumentParser
import StylizeEngine

extension ModelFamily: ExpressibleByArgument {}
