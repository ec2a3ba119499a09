/// The description of the error `body` throws, or nil when it throws none.
func fileErrorMessage(_ body: () throws -> Void) -> String? {
    do { try body() } catch { return "\(error)" }
    return nil
}
