import Foundation

extension CheckVerdict {
    /// The verdict of the standard expectation alone: up for a status code from 200 to 399, down for any
    /// other code or no answer (for URLs with no conditions, and tests).
    public init(_ outcome: ProbeOutcome) {
        switch outcome {
        case .response(let code, _): self.init(health: (200...399).contains(code) ? .up : .down, status: outcome.statusText)
        case .failure: self.init(health: .down, status: outcome.statusText)
        }
    }
}

extension State {
    /// A state judged by the standard expectation (``CheckVerdict/init(_:)``), as for a URL without conditions.
    public init(
        resourceID: Int,
        outcome: ProbeOutcome,
        latency: Duration,
        checkedAt: Date,
        consecutiveFailures: Int,
        method: CheckMethod = .head,
        lateness: Duration? = nil
    ) {
        self.init(
            resourceID: resourceID,
            health: CheckVerdict(outcome).health,
            status: outcome.statusText,
            code: outcome.code,
            latency: latency,
            checkedAt: checkedAt,
            consecutiveFailures: consecutiveFailures,
            method: method,
            lateness: lateness
        )
    }
}
