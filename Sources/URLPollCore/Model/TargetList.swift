/// The URLs to monitor, each once, in the order they were first given.
///
/// The position of a URL in the list is its id: ``Resource/id`` and the key of the monitor's map.
public struct TargetList: Sendable {
    /// The distinct URLs (distinct as configured: two URLs that differ only in a token are two).
    public private(set) var urls: [TargetURL] = []
    /// How to check each URL, by position (entries without options share one instance).
    public private(set) var options: [CheckOptions] = []
    /// The URLs that were given more than once, with where they were given first and again.
    public private(set) var duplicates: [Duplicate] = []

    /// A URL given a second (or later) time.
    public struct Duplicate: Sendable, Equatable {
        public let url: TargetURL
        public let first: URLListEntry.Origin
        public let again: URLListEntry.Origin
    }

    public init() {}

    /// Builds a list from entries, dropping repeated URLs (and recording each in ``duplicates``).
    ///
    /// Each URL is shown as its options' ``CheckOptions/redaction`` says. A URL with userinfo
    /// (`https://user:pass@host/`) is requested without it and sends it as `Authorization: Basic`, unless
    /// its options already send an `Authorization` header (`basic-auth:`, `bearer-token-file:`, `headers:`).
    ///
    /// - Parameter defaults: the options of entries that have none.
    public init(_ entries: some Sequence<URLListEntry>, defaults: CheckOptions = CheckOptions()) {
        // Only needed while building: dropping it afterwards saves a dictionary entry per URL.
        var index: [String: Int] = [:]
        var origins: [URLListEntry.Origin] = []
        for entry in entries {
            var entryOptions = entry.options ?? defaults
            let url = TargetURL(entry.url, redaction: entryOptions.redaction)
            if let id = index[entry.url] {
                duplicates.append(Duplicate(url: url, first: origins[id], again: entry.origin))
            } else {
                if let authorization = url.basicAuthorization {
                    entryOptions = entryOptions.adding(HeaderField(name: "Authorization", value: authorization.revealed))
                }
                index[entry.url] = urls.count
                urls.append(url)
                options.append(entryOptions)
                origins.append(entry.origin)
            }
        }
    }

    /// Each URL with its options, in order.
    public var targets: some Sequence<(url: TargetURL, options: CheckOptions)> {
        zip(urls, options).lazy.map { (url: $0, options: $1) }
    }

    /// The same list with each URL's options replaced by `transform`'s (called once per URL, in order).
    public func mappingOptions<Failure: Error>(_ transform: (CheckOptions) throws(Failure) -> CheckOptions) throws(Failure) -> TargetList {
        var list = self
        for index in list.options.indices { list.options[index] = try transform(list.options[index]) }
        return list
    }

    public var count: Int { urls.count }
    public var isEmpty: Bool { urls.isEmpty }
}
