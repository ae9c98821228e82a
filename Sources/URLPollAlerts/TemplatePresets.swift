/// The built-in templates of `template` receivers, for the services people otherwise write by hand.
/// Each renders the JSON shape the service documents (checked by a test):
///
/// - `slack`: an incoming webhook's `{"text": …}`.
/// - `discord`: a webhook's `{"content": …, "username": …}`.
/// - `teams`: an Office 365 connector's MessageCard (`@type`, `@context`, `summary`, `themeColor`,
///   `title`, `text`).
/// - `pagerduty`: an Events API v2 event (`routing_key`, `event_action` trigger or resolve, `dedup_key`
///   the same for both, `payload` with `summary`, `source`, `severity`, `timestamp` on triggers); post
///   it to `https://events.pagerduty.com/v2/enqueue`.
/// - `ntfy`: a JSON publish to the server's root URL (`topic`, `title`, `message`, `tags`, `priority`).
///
/// Every value comes from the template context (``TemplateContext``), escaped for a JSON string.
enum TemplatePresets {
    static let all: [String: String] = [
        "slack": #"{"text": "{{emoji}} {{summary}}"}"#,
        "discord": #"{"content": "{{emoji}} {{summary}}", "username": "urlpoll"}"#,
        "teams": #"""
        {"@type": "MessageCard", "@context": "https://schema.org/extensions", "summary": "{{summary}}", "themeColor": "{{color}}", \#
        "title": "{{title}}", "text": "{{details}}"}
        """#,
        "pagerduty": #"""
        {"routing_key": "{{routing_key}}", "event_action": "{{action}}", "dedup_key": "{{dedup_key}}", "client": "urlpoll"\#
        {{#is_trigger}}, "payload": {"summary": "{{summary}}", "source": "{{instance}}", "severity": "{{severity}}", \#
        "timestamp": "{{decided_at}}", "custom_details": {"url": "{{url}}", "status": "{{status}}", "failures": "{{failures}}"}}{{/is_trigger}}}
        """#,
        "ntfy": #"""
        {"topic": "{{topic}}", "title": "{{title}}", "message": "{{details}}", "tags": ["{{tag}}"], "priority": {{priority}}}
        """#,
    ]
}
