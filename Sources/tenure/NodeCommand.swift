import TenureCommandLine
import TenureNode

/// `tenure node`: parse flags (exit 2 on any mistake), start the runtime, run until signalled.
enum NodeCommand {
    static func run(_ arguments: [String]) -> Int32 {
        let command = Command("tenure node", usage: NodeOptions.usage)
        let options: NodeOptions
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
            let runtime = try NodeRuntime(options: options)
            return runtime.run()
        } catch {
            Terminal.printError("tenure node \(options.id): \(error.description)")
            return 1
        }
    }
}
