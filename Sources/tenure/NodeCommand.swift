import TenureNode

/// `tenure node`: parse flags (exit 2 on any mistake), start the runtime, run until signalled.
enum NodeCommand {
    static func run(_ arguments: [String]) -> Int32 {
        if arguments.contains("--help") || arguments.contains("-h") {
            print(NodeOptions.usage)
            return 0
        }
        let options: NodeOptions
        do {
            options = try NodeOptions.parse(arguments)
        } catch {
            Terminal.printError("tenure node: \(error.message)\n\(NodeOptions.usage)")
            return 2
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
