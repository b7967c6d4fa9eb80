import TenureSimulation

/// The core's rule tests drive their clusters on the one in-process driver, `LockstepCluster`.
typealias Cluster = LockstepCluster
