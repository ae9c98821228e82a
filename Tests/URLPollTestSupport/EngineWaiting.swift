@testable import URLPollCore

extension PollingEngine {
    /// Returns once `condition` holds for the monitor's report, checking after each recorded poll: a
    /// test waits for what it needs to have happened, never for time to pass.
    func waitUntil(_ condition: @Sendable (Report) -> Bool) async {
        let recorded = await monitor.subscribe()
        if condition(await monitor.report()) { return }
        for await _ in recorded {
            if condition(await monitor.report()) { return }
        }
    }

    /// Returns once every URL has been polled at least `polls` times.
    func waitUntilEveryURLIsPolled(_ polls: Int) async {
        await waitUntil { report in report.urls.allSatisfy { $0.polls >= polls } }
    }
}
