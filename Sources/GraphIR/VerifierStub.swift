// TEMPORARY: replaced by Verifier.swift from the parser branch.
extension Graph { public func verify() -> [Diagnostic] { var g = self; return g.inferShapes() } }
