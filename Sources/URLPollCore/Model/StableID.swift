/// Short, stable identifiers for URLs: the same URL always gets the same id, across runs and machines,
/// so links such as `/api/urls/{id}` keep working after a restart.
///
/// The id is the 64-bit FNV-1a hash of the URL's UTF-8 bytes in 16 hex digits. Pure.
public enum StableID {
    public static func of(_ url: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in url.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
