import Passes

/// The subcommands, with their help texts and options.
enum Command: String, CaseIterable {
    case compile, dump, run, bench, check

    var overview: String {
        switch self {
        case .compile: "Compile a model definition and its weights into a self-contained plan."
        case .dump: "Print a model's IR at a stage, or a plan's schedule."
        case .run: "Run a compiled plan (or a .def, compiled in memory) on one input."
        case .bench: "Measure a plan's latency and throughput."
        case .check: "Compare the optimized plan with the reference interpreter."
        }
    }

    var usage: String {
        switch self {
        case .compile: "resnetc compile MODEL.def [--weights W.safetensors] [--seed N] [--batch N] [-O0|-O1|-O2] [-o OUT.plan] [--print-after-all] [--print-after PASS] [--disable-pass PASS]"
        case .dump: "resnetc dump MODEL.def|MODEL.plan [--weights W] [--stage parsed|optimized|plan] [--format text|dot|svg|summary|json]"
        case .run: "resnetc run MODEL.plan|MODEL.def [--weights W] [--input X.npy|IMAGE.ppm|IMAGE.pgm] [--output Y.npy] [--threads N] [--top K] [--labels FILE] [--profile]"
        case .bench: "resnetc bench MODEL.plan|MODEL.def [--weights W] [--threads N] [--batch N] [--warmup N] [--runs N] [--json]"
        case .check: "resnetc check MODEL.def [--weights W]"
        }
    }

    var arguments: [(String, String)] {
        switch self {
        case .compile, .check: [("MODEL.def", "The model definition.")]
        case .dump: [("MODEL.def|MODEL.plan", "A model definition, or a compiled plan (--stage plan only).")]
        case .run, .bench: [("MODEL.plan|MODEL.def", "A compiled plan, or a model definition compiled in memory first.")]
        }
    }

    static let weights = OptionSpec.value("--weights", value: "W.safetensors",
                                          help: "Weights (torchvision names). Default: deterministic random weights.")
    static let seed = OptionSpec.value("--seed", value: "N", help: "Seed of the random weights (default 0).")
    static let threads = OptionSpec.value("--threads", value: "N", help: "Worker threads (default: every active processor).")

    var options: [OptionSpec] {
        switch self {
        case .compile:
            [Self.weights, Self.seed,
             .value("--batch", value: "N", help: "Override the input's batch size."),
             .flag("-O2", help: "Optimize fully (default)."),
             .flag("-O1", help: "Fold BatchNorm and fuse epilogues; no memory-aware scheduling."),
             .flag("-O0", help: "No optimization: one buffer per value, direct kernels."),
             .value("-o", "--output", value: "OUT.plan", help: "Where to write the plan (default: MODEL.plan)."),
             .flag("--print-after-all", help: "Print the IR after every pass (to stderr)."),
             .value("--print-after", value: "PASS", help: "Print the IR after PASS (to stderr)."),
             .value("--disable-pass", value: "PASS", help: "Skip PASS (comma-separated list accepted).")]
        case .dump:
            [Self.weights, Self.seed,
             .value("--batch", value: "N", help: "Override the input's batch size."),
             .value("--stage", value: "STAGE", help: "parsed (default for .def), optimized, or plan (default for .plan)."),
             .value("--format", value: "FORMAT", help: "text (default), dot, summary (graph stages); text, json, svg (plan).")]
        case .run:
            [Self.weights, Self.seed,
             .value("--input", value: "FILE", help: "Input tensor (.npy) or image (.ppm/.pgm). Default: a synthetic input."),
             .value("--output", value: "Y.npy", help: "Write the first output here."),
             Self.threads,
             .value("--top", value: "K", help: "Classes to print per image (default 5)."),
             .value("--labels", value: "FILE", help: "Class names, one per line."),
             .flag("--profile", help: "Print each step's time, share and GFLOP/s.")]
        case .bench:
            [Self.weights, Self.seed, Self.threads,
             .value("--batch", value: "N", help: "Batch size (a .def is compiled for it; a .plan must match)."),
             .value("--warmup", value: "N", help: "Untimed runs first (default 3)."),
             .value("--runs", value: "N", help: "Timed runs (default 20)."),
             .flag("--json", help: "Also print the result as one JSON object on the last line.")]
        case .check:
            [Self.weights, Self.seed]
        }
    }

    var epilogue: String {
        switch self {
        case .compile:
            "PASSES (in order; -O1 runs all but schedule-memory, -O0 none):\n"
                + Pipeline.allPasses.map { "  " + $0.name.padding(toLength: 26, withPad: " ", startingAt: 0) + $0.summary }
                    .joined(separator: "\n")
        case .dump, .run, .bench, .check: ""
        }
    }
}
