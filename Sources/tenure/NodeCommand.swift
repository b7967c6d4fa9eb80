import Foundation
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
            FileHandle.standardError.write(Data("tenure node: \(error.message)\n\(NodeOptions.usage)\n".utf8))
            return 2
        }
        do {
            let runtime = try NodeRuntime(options: options)
            return runtime.run()
        } catch {
            FileHandle.standardError.write(Data("tenure node \(options.id): \(error.description)\n".utf8))
            return 1
        }
    }
}
