export const BMC_USAGE = `  --bmc K           instead of the proof: a bounded symbolic search from the initial
                    state, up to K steps, at the paper's scale`;
export async function runBmc(_: unknown): Promise<number> {
  throw new Error("bmc not built yet");
}
