/// The HTTP method a check polls with.
public enum CheckMethod: String, Sendable, Equatable, CaseIterable {
    /// The default: asks for the status without the body.
    case head = "HEAD"
    /// Needed for body conditions, and for servers that reject HEAD (405 or 501).
    case get = "GET"
}
