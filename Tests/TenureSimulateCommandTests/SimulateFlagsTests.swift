import Testing
import TenureCommandLine
@testable import TenureSimulateCommand
import TenureSimulation

/// One parser for `tenure simulate` and `tenure-lab simulate`: the same flags, except that only
/// the lab's edition takes the safety mutations.
@Suite struct SimulateFlagsTests {
    func flags(_ edition: SimulateCommand.Edition, _ arguments: [String]) throws(UsageError) -> SimulateCommand.Flags {
        let command = SimulateCommand(edition)
        return try command.flags(try ParsedArguments(arguments, SimulateCommand.specification))
    }

    @Test("tenure simulate refuses --mutation and names tenure-lab simulate")
    func productRefusesMutation() {
        for arguments in [["--mutation", "disable-pre-vote"], ["--nodes", "3", "--mutation=disable-pre-vote"], ["--mutation", "no-such"]] {
            let error = #expect(throws: UsageError.self) { try flags(.product, arguments) }
            #expect(error?.message.contains("tenure-lab simulate --mutation") == true, "\(arguments)")
        }
        #expect(!SimulateCommand(.product).usage.contains("--mutation"))
        #expect(SimulateCommand(.product).usage.hasPrefix("usage: tenure simulate "))
    }

    @Test("tenure-lab simulate takes --mutation, repeated, and refuses an unknown name")
    func labTakesMutations() throws {
        let parsed = try flags(.lab, ["--nodes", "3", "--mutation", "disable-pre-vote", "--mutation=send-before-persist"])
        #expect(parsed.options.enabledMutations == [.sendBeforePersist, .disablePreVote])
        #expect(parsed.options.nodes == 3)
        let error = #expect(throws: UsageError.self) { try flags(.lab, ["--mutation", "no-such"]) }
        #expect(error?.message.hasPrefix("--mutation 'no-such' must be one of disable-vote-stickiness, ") == true)
        let usage = SimulateCommand(.lab).usage
        #expect(usage.hasPrefix("usage: tenure-lab simulate "))
        for mutation in SimulationMutation.allCases { #expect(usage.contains(mutation.rawValue)) }
    }

    @Test("both editions read every other flag alike")
    func sameFlags() throws {
        let arguments = ["--nodes", "7", "--seeds", "20", "--seed", "9", "--duration", "30s", "--lease", "500ms", "--beats", "2",
                         "--steady-loss", "20%", "--election-timeout", "900ms-1000ms", "--clock-drift", "0.02", "--excess-drift",
                         "--membership-changes", "--jobs", "2", "--quiet", "--trace"]
        let product = try flags(.product, arguments), lab = try flags(.lab, arguments)
        #expect(product.options == lab.options)
        #expect(product.options.nodes == 7 && product.seeds == 20 && product.firstSeed == 9 && product.jobs == 2)
        #expect(product.options.steadyLoss == 0.2 && product.quiet && product.trace)
        let productLines = SimulateCommand(.product).usage.split(separator: "\n")
        let labLines = SimulateCommand(.lab).usage.split(separator: "\n").filter { !$0.hasPrefix("  --mutation NAME") }
        #expect(Array(productLines.dropFirst()) == Array(labLines.dropFirst()))
    }

    @Test("bad values are usage errors naming the flag")
    func badValues() {
        #expect(throws: UsageError.self) { try flags(.product, ["--steady-loss", "95%"]) }
        #expect(throws: UsageError.self) { try flags(.product, ["--seed", "-1"]) }
        #expect(throws: UsageError.self) { try flags(.lab, ["--nodes", "2"]) }
    }
}
