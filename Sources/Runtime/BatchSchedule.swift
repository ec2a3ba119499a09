/// The order in which a batch runs through a plan's steps.
///
/// Early in a ResNet the activations dwarf the weights (layer1 of ResNet-50:
/// 3.2 MB per image, 0.07–0.26 MB of weights per conv), late in it the
/// weights dwarf the activations (layer4: 4–17 MB per conv, 0.1–0.4 MB per
/// image). So the first steps run image by image — every step on image 0,
/// then on image 1, … — which keeps one image's activations in cache, and
/// the rest run step by step on the whole batch, which reads each step's
/// weights from memory once instead of once per image. Measured, ResNet-50
/// batch 8 on 2 threads: step by step 390 ms, image by image 374 ms.
///
/// The cut is the first step from which every convolution has more weights
/// than one image's output, moved later until a single arena value crosses
/// it. That value is parked outside the arena image by image (a later image's
/// early steps may reuse its memory — the arena plan only knows step order)
/// and put back before the step-by-step part. Every other value of image i
/// is dead when image i + 1 starts, and an image's slice of a buffer lies
/// inside the buffer, so the arena plan holds for this order.
struct BatchSchedule {
    /// Images in the batch, or 1 if some tensor's first dimension is not the
    /// batch (then every step runs on the whole batch).
    let images: Int
    /// Steps `0..<cut` run image by image, the rest on the whole batch.
    let cut: Int
    /// The arena value made before the cut and read after it, if any.
    let carried: TensorRef?

    /// Every step on the whole batch at once.
    static let unbatched = BatchSchedule(images: 1, cut: 0, carried: nil)

    private init(images: Int, cut: Int, carried: TensorRef?) {
        self.images = images; self.cut = cut; self.carried = carried
    }

    init(plan: Plan) {
        let batch = plan.input.shape.first ?? 1
        let steps = plan.steps
        let leadsWithBatch = plan.outputs.allSatisfy { $0.shape.first == batch }
            && steps.allSatisfy { step in (step.inputs + [step.output]).allSatisfy { $0.shape.first == batch } }
        guard batch > 1, leadsWithBatch else {
            self = .unbatched
            return
        }
        // Producer of each arena input: the latest earlier step writing that buffer.
        let producers: [[Int]] = steps.indices.map { t in
            steps[t].inputs.compactMap { ref in
                guard case .arena = ref.location else { return nil }
                return (0..<t).last { steps[$0].output == ref }
            }
        }
        func crossing(_ c: Int) -> Set<Int> {
            Set(steps.indices.dropFirst(c).flatMap { producers[$0] }.filter { $0 < c })
        }
        let weighty = steps.map { step -> Bool in
            guard case let .conv(conv) = step.kernel else { return true }
            return conv.weights.count >= step.output.count / batch
        }
        var c = (weighty.lastIndex(of: false) ?? -1) + 1
        var crossed = crossing(c)
        while c < steps.count && crossed.count > 1 {
            c += 1
            crossed = crossing(c)
        }
        self.init(images: batch, cut: c, carried: crossed.first.map { steps[$0].output })
    }
}
