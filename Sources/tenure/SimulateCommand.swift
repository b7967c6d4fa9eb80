import TenureNode

/// `tenure simulate`: placeholder until the simulator lands.
enum SimulateCommand {
    static func run(_ arguments: [String]) -> Int32 {
        Terminal.printError("tenure simulate: not built yet")
        return 2
    }
}
