import TenureCommandLine
import TenureNode
import TenureNodeCommandLine

/// `tenure node`: parse flags (exit 2 on any mistake), start the runtime, run until signalled.
enum NodeCommand {
    static func run(_ arguments: [String]) -> Int32 {
        let command = Command("tenure node", usage: NodeOptions.usage)
        var options: NodeOptions
        do {
            if try ParsedArguments(arguments, NodeOptions.specification).wantsHelp {
                print(NodeOptions.usage)
                return 0
            }
            options = try NodeOptions.parse(arguments)
        } catch {
            command.fail(error)
        }
        do {
            if let join = options.join {
                let log = Log(node: options.id.rawValue, minimumLevel: options.logLevel)
                // The stored state first: a node that joined before has the configuration on disk
                // and needs nothing from the member it joined through (which may be gone by now);
                // a damaged state file stops it here, with its own message.
                if let stored = try NodeRuntime.storedMembership(in: options.dataDirectory) {
                    log.info("--join \(join): starting from the stored configuration \(stored.index) (the cluster is not asked again)")
                } else {
                    options.joinMembers = try NodeRuntime.fetchMembers(from: join, id: options.id, log: log)
                }
            }
            let runtime = try NodeRuntime(options: options)
            return runtime.run()
        } catch {
            Terminal.printError("tenure node \(options.id): \(error)")
            return 1
        }
    }
}
