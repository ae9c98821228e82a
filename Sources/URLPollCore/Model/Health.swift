/// The verdict on a URL: what reports call its state.
public enum Health: String, Sendable, Equatable, Codable, CaseIterable {
    /// Not polled yet.
    case pending
    /// The last poll got an expected status code and met the URL's conditions (``CheckVerdict``).
    case up
    /// The last poll got another status code, failed a condition, or got no response at all.
    case down

}
