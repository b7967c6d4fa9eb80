import Foundation

/// `tenure simulate`: placeholder until the simulator lands.
enum SimulateCommand {
    static func run(_ arguments: [String]) -> Int32 {
        FileHandle.standardError.write(Data("tenure simulate: not built yet\n".utf8))
        return 2
    }
}
