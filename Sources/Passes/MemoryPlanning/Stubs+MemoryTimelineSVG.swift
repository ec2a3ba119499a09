import Runtime
// TEMPORARY stub so the package builds; replaced by the real renderer.
// Delete this file when implementing it.
public enum MemoryTimelineSVG {
    public static func render(buffers: [BufferInfo], stepCount: Int, arenaBytes: Int, lowerBoundBytes: Int,
                              stepNames: [String]) -> String { "" }
}
