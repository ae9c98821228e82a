import Crypto

/// How a `webhook` receiver's body is signed, the way GitHub signs its webhooks: the header
/// `X-Urlpoll-Signature-256: sha256=<hex>`, where hex is the HMAC-SHA256 of the raw body keyed with the
/// receiver's `secret`. The body carries `sent_at` and `idempotency_key`, so a receiver that checks the
/// signature can also refuse a replayed or repeated delivery. Pure.
package enum WebhookSignature {
    package static let header = "X-Urlpoll-Signature-256"

    /// `sha256=` and the lowercase hex HMAC of `body`.
    package static func sign(_ body: [UInt8], secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8)))
        return "sha256=" + mac.map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined()
    }

    /// Whether `signature` (a header value) is `body`'s, compared in constant time.
    package static func verify(_ signature: String, body: [UInt8], secret: String) -> Bool {
        let expected = Array(sign(body, secret: secret).utf8)
        let given = Array(signature.utf8)
        guard expected.count == given.count else { return false }
        return zip(expected, given).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
