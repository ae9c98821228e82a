/// Several results of one URL in one row of the `result` table. Pure.
///
/// A batch often holds more than one result of a URL (a short interval, or a backlog). Those written in
/// the same batch and the same hour share one row: the first result fills the row's columns, the others
/// follow in its `more` blob, each as four unsigned LEB128 varints: milliseconds since the previous
/// result (at least 1), outcome, latency in microseconds, status id. One row insert per URL and batch
/// instead of one per result keeps the writer cheap at high poll rates, and a packed result takes about
/// six bytes. A row never spans two hours, so rollup and retention by the hour see whole rows.
enum PackedResults {
    /// One result as the store keeps it.
    struct Entry: Equatable, Sendable {
        var time: Int64
        var outcome: Int64
        var latency: Int64
        var status: Int64
    }

    /// The blob of `entries` after `first` (`entries` in time order, each later than the one before).
    static func pack(_ entries: some Sequence<Entry>, after first: Entry) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(entries.underestimatedCount * 8)
        var previous = first.time
        for entry in entries {
            appendVarint(UInt64(entry.time - previous), to: &bytes)
            appendVarint(UInt64(entry.outcome), to: &bytes)
            appendVarint(UInt64(entry.latency), to: &bytes)
            appendVarint(UInt64(entry.status), to: &bytes)
            previous = entry.time
        }
        return bytes
    }

    /// The results a row holds: `first`, then those in `more`.
    ///
    /// - Throws: ``StoreError`` when `more` is cut short or holds a varint longer than 64 bits (a damaged
    ///   row): nothing from the row is returned then.
    static func unpack(first: Entry, more: [UInt8]?) throws(StoreError) -> [Entry] {
        var entries = [first]
        guard let more, !more.isEmpty else { return entries }
        var index = more.startIndex
        var previous = first.time
        while index < more.endIndex {
            let gap = try readVarint(more, at: &index)
            let outcome = try readVarint(more, at: &index)
            let latency = try readVarint(more, at: &index)
            let status = try readVarint(more, at: &index)
            guard gap <= UInt64(Int64.max - previous), outcome <= UInt64(Int64.max), latency <= UInt64(Int64.max), status <= UInt64(Int64.max)
            else { throw StoreError("a stored result row is damaged (a value out of range)") }
            previous += Int64(gap)
            entries.append(Entry(time: previous, outcome: Int64(outcome), latency: Int64(latency), status: Int64(status)))
        }
        return entries
    }

    private static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    private static func readVarint(_ bytes: [UInt8], at index: inout Int) throws(StoreError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while index < bytes.endIndex {
            let byte = bytes[index]
            index += 1
            guard shift < 64, shift < 63 || byte <= 1 else { throw StoreError("a stored result row is damaged (a varint too long)") }
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
        throw StoreError("a stored result row is damaged (cut short)")
    }
}
