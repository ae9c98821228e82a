/// Tests that load the machine (1,000 URLs on hostile servers; urlpoll child processes with a
/// PostgreSQL cluster) take turns through here, so that on 2 cores one's burst does not starve the
/// other's in-process servers into timeouts. Other tests run alongside as usual. A test's time limit
/// counts its wait for its turn too: suites with exclusive tests allow 8 minutes (the turns of all of
/// them, about 4 minutes on 2 cores, and room).
actor ExclusiveTests {
    static let shared = ExclusiveTests()

    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    /// Runs `body` when no other exclusive test runs.
    static func run<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        await shared.acquire()
        do {
            let result = try await body()
            await shared.release()
            return result
        } catch {
            await shared.release()
            throw error
        }
    }

    private func acquire() async {
        if !busy {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func release() {
        if waiting.isEmpty {
            busy = false
        } else {
            waiting.removeFirst().resume()
        }
    }
}
