import URLPollCore

/// What one message that came back means for the query: the answer, one to ignore (another query's,
/// or a forged one that does not repeat the question), or one that cannot be read. Pure.
package enum DNSReply: Sendable, Equatable {
    case answer(DNSResponse)
    case ignored
    case unreadable(DNSParseError)

    package init(_ bytes: [UInt8], to query: DNSQuery) {
        do {
            self = .answer(try DNSResponse(bytes, answering: query))
        } catch {
            switch error.reason {
            case "another query's ID", "not a response", "the question is not the one asked": self = .ignored
            default: self = .unreadable(error)
            }
        }
    }
}

/// How a query's exchange ended, and its status.
package enum DNSEnding: Sendable, Equatable {
    case answered(DNSResponse)
    case unreadable(DNSParseError)
    /// The deadline came; `ignored` messages came that were not the answer.
    case timedOut(limit: Duration, ignored: Int)
    case failed(FailureKind, reason: String)

    /// The check's result: the expectation's verdict on an answer, else down saying why.
    package func result(_ expectation: DNSExpectation) -> CheckResult {
        switch self {
        case .answered(let response): expectation.result(response)
        case .unreadable(let error): .failed(.invalidAnswer, error.description)
        case .timedOut(let limit, let ignored):
            .failed(
                .timeout,
                "timed out after \(DurationFormat.format(limit))"
                    + (ignored == 0 ? "" : " (\(ignored) message\(ignored == 1 ? "" : "s") not answering the query ignored)")
            )
        case .failed(let kind, let reason): .failed(kind, reason)
        }
    }
}
