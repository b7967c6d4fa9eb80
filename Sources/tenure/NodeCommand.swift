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
                do {
                    options.joinMembers = try NodeRuntime.fetchMembers(from: join, id: options.id, log: log)
                } catch {
                    // A node that joined before has the configuration on disk and does not need
                    // the member it joined through (which may be gone by now).
                    guard NodeRuntime.hasStoredState(in: options.dataDirectory) else { throw error }
                    log.warning("\(error); starting from the stored configuration")
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
