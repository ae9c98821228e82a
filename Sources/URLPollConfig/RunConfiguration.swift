import Foundation
import URLPollCore

/// Everything one run (or one reload) is configured with, gathered from the config file, the URL list,
/// the arguments and the flags.
///
/// Precedence, most specific first: a URL's own settings in the config file, the file's `defaults:`
/// block, command-line flags, the file's top-level settings, the built-in defaults.
package struct RunConfiguration: Sendable {
    package let settings: Settings
    package let targets: TargetList
    /// `--listen`, else the file's `listen:`.
    package let listen: ListenAddress?
    /// The alert receivers and the self-check (off without receivers).
    package let alerts: AlertSettings

    package init(settings: Settings, targets: TargetList, listen: ListenAddress? = nil, alerts: AlertSettings = AlertSettings()) {
        self.settings = settings
        self.targets = targets
        self.listen = listen
        self.alerts = alerts
    }

    /// The same configuration with `targets` (their options prepared by the probe layer, say).
    package func replacingTargets(_ targets: TargetList) -> RunConfiguration {
        RunConfiguration(settings: settings, targets: targets, listen: listen, alerts: alerts)
    }

    /// Where the inputs are: what the command line gave. Kept so that a reload reads the same inputs again.
    package struct Sources: Sendable {
        package var arguments: [String]
        package var file: String?
        package var config: String?
        package var flags: Settings.Overrides
        /// `--listen`, as given.
        package var listen: String?

        package init(arguments: [String], file: String?, config: String?, flags: Settings.Overrides, listen: String? = nil) {
            self.arguments = arguments
            self.file = file
            self.config = config
            self.flags = flags
            self.listen = listen
        }
    }

    /// Reads every input and combines them.
    ///
    /// - Throws: ``InputError`` for the first problem in any input (naming file, line and column), or
    ///   settings that break a rule.
    ///
    /// - Parameter shared: a configuration's text that replaces the config file (the version several
    ///   instances share through their database), and the name its messages give it. It is the whole
    ///   URL list then: URLs given as arguments or in a list file are not added.
    package static func load(
        _ sources: Sources,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        requiresURLs: Bool = true,
        shared: (text: String, name: String)? = nil
    ) throws(InputError) -> RunConfiguration {
        let file: ConfigFile?
        let fileName: String
        if let shared {
            file = try ConfigLoader.parse(shared.text, file: shared.name, environment: environment)
            fileName = shared.name
        } else {
            file = try sources.config.map { path throws(InputError) in try ConfigLoader.load(path: path, environment: environment) }
            fileName = sources.config ?? ""
        }
        var settings = Settings().merging(file?.overrides ?? Settings.Overrides()).merging(sources.flags)
        try settings.validate()
        let alerts = file?.alertSettings ?? AlertSettings()
        settings.alertFailureThreshold = alerts.routing.receivers.map(\.failureThreshold).min()
        let targets = try URLSources.load(
            arguments: shared == nil ? sources.arguments : [],
            file: shared == nil ? sources.file : nil,
            configEntries: file?.targets(settings: settings, file: fileName) ?? [],
            // The `defaults:` block reaches every URL, wherever it was listed (arguments and lists too).
            defaults: (file?.defaults ?? CheckFields()).resolved(with: settings),
            requiresURLs: requiresURLs
        )
        let listen: ListenAddress?
        if let flag = sources.listen {
            do {
                listen = try ListenAddress(parsing: flag)
            } catch {
                throw InputError("--listen \(error.message)")
            }
        } else {
            listen = file?.listen
        }
        return RunConfiguration(settings: settings, targets: targets, listen: listen, alerts: alerts)
    }

    /// The settings that a reload cannot change in a running process, by name, where `other` differs.
    package func restartOnlyChanges(comparedTo other: RunConfiguration) -> [String] {
        var names: [String] = []
        if settings.pollers != other.settings.pollers { names.append("pollers") }
        if settings.statusInterval != other.settings.statusInterval { names.append("status-interval") }
        if settings.format != other.settings.format { names.append("format") }
        if listen != other.listen { names.append("listen") }
        if settings.history != other.settings.history { names.append("history") }
        if settings.database != other.settings.database { names.append("database") }
        if settings.location != other.settings.location { names.append("location") }
        if settings.retention != other.settings.retention { names.append("retention") }
        if alerts.routing.receivers != other.alerts.routing.receivers { names.append("alerts") }
        if alerts.selfCheck != other.alerts.selfCheck || alerts.connectivityCheck != other.alerts.connectivityCheck {
            names.append("self-check")
        }
        if alerts.instance != other.alerts.instance { names.append("instance") }
        return names
    }
}
