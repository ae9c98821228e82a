import Foundation

/// The share of known time a URL was up, over the windows reports show: the hour, the day, the week
/// and the 30 days before a moment. `nil` for a window with no known time (never polled then, or
/// urlpoll was not running). Computed by ``UptimeArithmetic``.
public struct Uptime: Sendable, Equatable {
    /// The windows, in the order reports list them.
    public enum Window: String, CaseIterable, Sendable {
        case hour = "1h"
        case day = "24h"
        case week = "7d"
        case month = "30d"

        public var duration: TimeInterval {
            switch self {
            case .hour: 3600
            case .day: 86_400
            case .week: 7 * 86_400
            case .month: 30 * 86_400
            }
        }
    }

    /// Up time ÷ known time, from 0 to 1, per window (in ``Window`` order).
    public var ratios: [Double?]

    public init(ratios: [Double?]) {
        precondition(ratios.count == Window.allCases.count)
        self.ratios = ratios
    }

    public subscript(window: Window) -> Double? {
        ratios[Window.allCases.firstIndex(of: window)!]
    }

    /// No known time in any window.
    public static let unknown = Uptime(ratios: Array(repeating: nil, count: Window.allCases.count))
}
