import NIOCore
import Synchronization

@testable import URLPollCore

/// A probe without I/O for scheduler and engine tests: every URL answers `200 OK` at once, except that
/// a URL containing `gate` waits until ``open()`` is called. Each poll that starts is announced on
/// ``started``, so a test knows what is in flight without waiting for time to pass.
final class ScriptedProbe: Probe {
    private let isOpen = Mutex<(open: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))
    let started: AsyncStream<String>
    private let announce: AsyncStream<String>.Continuation

    init() {
        (started, announce) = AsyncStream.makeStream(of: String.self)
    }

    func makeSession() -> any ProbeSession { Session(probe: self) }

    /// Lets every gated poll, waiting or future, answer.
    func open() {
        let waiting = isOpen.withLock { state in
            state.open = true
            defer { state.waiting = [] }
            return state.waiting
        }
        for poll in waiting { poll.resume() }
    }

    fileprivate func pass(_ url: String) async {
        announce.yield(url)
        guard url.contains("gate") else { return }
        await withCheckedContinuation { continuation in
            let isOpenNow = isOpen.withLock { state in
                if state.open { return true }
                state.waiting.append(continuation)
                return false
            }
            if isOpenNow { continuation.resume() }
        }
    }

    private final class Session: ProbeSession {
        let probe: ScriptedProbe
        init(probe: ScriptedProbe) { self.probe = probe }
        func exchange(_ request: ProbeRequest, deadline: NIODeadline) async throws -> ProbeExchange {
            await probe.pass(request.url)
            return ProbeExchange(code: 200, reason: "OK")
        }
        func close() {}
    }
}
