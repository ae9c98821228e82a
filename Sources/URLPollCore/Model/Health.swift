/// The verdict on a URL: what reports call its state.
public enum Health: String, Sendable, Equatable, Codable, CaseIterable {
    /// Not polled yet.
    case pending
    /// The last poll got a response with a status code in 200–399.
    case up
    /// The last poll got another status code, or no response at all.
    case down

    /// The verdict for a poll's outcome: `up` for status codes 200–399, `down` otherwise.
    public init(_ outcome: ProbeOutcome) {
        switch outcome {
        case .response(let code, _): self = (200...399).contains(code) ? .up : .down
        case .failure: self = .down
        }
    }
}
