/// Waiting for a condition in tests (never for a fixed time): checks `condition` every 20 ms until it
/// holds, or throws ``WaitTimeout`` after `timeout`.
enum Eventually {
    static func wait(_ what: String, timeout: Duration = .seconds(20), until condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while try await !condition() {
            if ContinuousClock.now > deadline { throw WaitTimeout(what: what) }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

/// A test's wait that ran out of time.
struct WaitTimeout: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out waiting for \(what)" }
}
