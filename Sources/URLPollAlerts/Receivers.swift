import Mustache
import URLPollCore

/// Builds the ``Receiver`` of each configured receiver.
enum Receivers {
    /// - Throws: ``DeliveryError`` naming the receiver when its template does not parse.
    static func make(_ settings: AlertReceiverSettings, instance: String, http: ReceiverHTTPClient) throws(DeliveryError) -> any Receiver {
        switch settings.kind {
        case .webhook(let url, let headers, let secret):
            return WebhookReceiver(
                name: settings.name,
                url: url,
                headers: headers,
                secret: secret,
                instance: instance,
                timeout: settings.timeout,
                http: http
            )
        case .template(let url, let headers, let source, let contentType, let variables):
            let template: MustacheTemplate
            do {
                template = try TemplateReceiver.compile(source, contentType: contentType)
            } catch {
                throw DeliveryError("alerts receiver \(Excerpt.quoted(settings.name)): \(error.message)", isRetryable: false)
            }
            return TemplateReceiver(
                name: settings.name,
                url: url,
                headers: headers,
                template: template,
                contentType: contentType,
                variables: variables,
                instance: instance,
                timeout: settings.timeout,
                http: http
            )
        case .alertmanager(let url, let headers):
            return AlertmanagerReceiver(
                name: settings.name,
                url: url,
                headers: headers,
                resend: settings.repeatInterval ?? AlertReceiverSettings.alertmanagerRepeat,
                instance: instance,
                timeout: settings.timeout,
                http: http
            )
        case .command(let path, let arguments, let environment):
            _ = CommandReceiver.ignoreBrokenPipes
            return CommandReceiver(
                name: settings.name,
                path: path,
                arguments: arguments,
                environment: environment,
                instance: instance,
                timeout: settings.timeout
            )
        }
    }
}
