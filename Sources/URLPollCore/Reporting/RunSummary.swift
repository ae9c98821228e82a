/// The figures of a whole run, written by `--stats` as one line of JSON with the keys the benchmark kit
/// defines (`../shared/bench/README.md`, "JSON summary"): counts, latency and lateness percentiles, the
/// first full round, the spread of polls over URLs, memory and CPU.
///
/// Lateness: a URL becomes pending at its due time (its sleep ends then, with no timer of its own), so
/// `late_*` and `due_late_*` both measure from the due time to the moment a poller took the URL.
public struct RunSummary: Sendable {
    public let statistics: PollStatistics
    /// Polls of each URL during the run.
    public let pollsPerURL: [Int]
    /// From the start of the run to the summary.
    public let elapsed: Duration
    public let process: ProcessUsage

    public init(statistics: PollStatistics, pollsPerURL: [Int], elapsed: Duration, process: ProcessUsage) {
        self.statistics = statistics
        self.pollsPerURL = pollsPerURL
        self.elapsed = elapsed
        self.process = process
    }

    /// The summary as one line of JSON, ending with a newline.
    public func json(pollers: Int) -> String {
        let stats = statistics
        let seconds = elapsed.seconds
        let cpu = process.userCPU.seconds + process.systemCPU.seconds
        func ms(_ microseconds: UInt64) -> String { Self.number(Double(microseconds) / 1000) }
        var histogram: [Int: Int] = [:]
        for polls in pollsPerURL { histogram[polls, default: 0] += 1 }
        let histogramJSON = histogram.keys.sorted().map { "\"\($0)\":\(histogram[$0]!)" }.joined(separator: ",")
        let fields: [(String, String)] = [
            ("impl", "\"urlpoll\""),
            ("urls", "\(pollsPerURL.count)"),
            ("pollers", "\(pollers)"),
            ("polls", "\(stats.polls)"),
            ("ok", "\(stats.ok)"),
            ("errors", "\(stats.errors)"),
            ("non2xx", "\(stats.non2xx)"),
            ("elapsed_s", Self.number(seconds)),
            ("polls_per_s", Self.number(seconds > 0 ? Double(stats.polls) / seconds : 0)),
            ("p50_ms", ms(stats.latency.valueAtPercentile(50))),
            ("p90_ms", ms(stats.latency.valueAtPercentile(90))),
            ("p99_ms", ms(stats.latency.valueAtPercentile(99))),
            ("max_ms", ms(stats.latency.max)),
            ("late_samples", "\(stats.lateness.totalCount)"),
            ("late_p50_ms", ms(stats.lateness.valueAtPercentile(50))),
            ("late_p99_ms", ms(stats.lateness.valueAtPercentile(99))),
            ("late_max_ms", ms(stats.lateness.max)),
            ("due_late_p50_ms", ms(stats.lateness.valueAtPercentile(50))),
            ("due_late_p99_ms", ms(stats.lateness.valueAtPercentile(99))),
            ("due_late_max_ms", ms(stats.lateness.max)),
            ("feed_done_s", "0"),
            ("first_round_s", stats.firstRoundDone.map { Self.number($0.seconds) } ?? "-1"),
            ("per_url_polls_min", "\(pollsPerURL.min() ?? 0)"),
            ("per_url_polls_max", "\(pollsPerURL.max() ?? 0)"),
            ("per_url_polls_hist", "{\(histogramJSON)}"),
            ("vm_hwm_kb", "\(process.peakResidentKiB)"),
            ("max_rss_kb", "\(process.maxRSSKiB)"),
            ("cpu_user_s", Self.number(process.userCPU.seconds)),
            ("cpu_sys_s", Self.number(process.systemCPU.seconds)),
            ("cpu_us_per_poll", Self.number(stats.polls > 0 ? cpu * 1_000_000 / Double(stats.polls) : 0)),
        ]
        return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}\n"
    }

    /// A JSON number with at most three decimals.
    static func number(_ value: Double) -> String {
        let rounded = (value * 1000).rounded() / 1000
        return rounded == rounded.rounded() ? String(Int64(rounded)) : String(rounded)
    }
}
