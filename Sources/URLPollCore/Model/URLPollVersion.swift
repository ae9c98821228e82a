/// urlpoll's version: the one `--version`, the `User-Agent` of every poll and `urlpoll_build_info` show.
public enum URLPollVersion {
    public static let current = "0.2.0"

    /// `urlpoll/<version>`.
    public static var userAgent: String { "urlpoll/\(current)" }
}
