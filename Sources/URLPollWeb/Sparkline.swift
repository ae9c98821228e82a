import URLPollCore

/// An inline SVG of a URL's recent results: a line of latencies (scaled to the slowest) with a red mark
/// at each `down` result. Pure; the output contains only numbers and fixed markup.
enum Sparkline {
    static let width = 120
    static let height = 24

    static func svg(_ results: [RecentResults.Result]) -> String {
        guard !results.isEmpty else { return "" }
        let slowest = max(1, results.map(\.latencyMicroseconds).max() ?? 1)
        let step = results.count > 1 ? Double(width - 4) / Double(results.count - 1) : 0
        var points = ""
        var marks = ""
        for (index, result) in results.enumerated() {
            let x = 2 + Int((Double(index) * step).rounded())
            let y = height - 3 - Int(Double(result.latencyMicroseconds) / Double(slowest) * Double(height - 6))
            points += "\(x),\(y) "
            if !result.up { marks += "<rect x=\"\(x - 1)\" y=\"\(height - 4)\" width=\"3\" height=\"4\"/>" }
        }
        let title =
            "\(results.count) recent polls, \(results.filter { !$0.up }.count) down, slowest \(DurationFormat.format(.microseconds(Int64(slowest))))"
        return "<svg class=\"spark\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\">"
            + "<title>\(title)</title><polyline points=\"\(points.dropLast())\"/><g>\(marks)</g></svg>"
    }
}
