/** Small drivers for kernel tests: boot a configuration, run a call as a given thread. */
import { architectures } from "../../../impl/arch/index.js";
import type { ArchName } from "../../../impl/arch/index.js";
import { validateKernelConfig, type KernelConfig } from "../../../impl/kernel/config.js";
import { SyscallError } from "../../../impl/kernel/errors.js";
import { Kernel } from "../../../impl/kernel/kernel.js";
import { smallLayout } from "../../../impl/kernel/layout.js";
import { encodeSyscall, executeSyscall } from "../../../impl/kernel/syscalls.js";
import type { Syscall, ThreadId } from "../../../impl/kernel/types.js";
import { kernelVariant, type KernelMutantName } from "../../../impl/mutants.js";

/** Thread ids of the standard test system. */
export const CLIENT = 0;
export const CLIENT2 = 1;
export const PAGER = 2;
export const PAGER2 = 3;

/**
 * Two tasks: task 0 runs two client threads, task 1 runs two pagers; pager 2
 * owns frames 0-1, pager 3 owns frame 2. Two regions of four pages.
 */
export function testConfig(cpus = 1, overrides: Partial<KernelConfig> = {}): KernelConfig {
  return validateKernelConfig({
    layout: smallLayout(2, 4),
    cpus,
    tasks: 2,
    threads: [{ task: 0 }, { task: 0 }, { task: 1, pager: true }, { task: 1, pager: true }],
    frames: [PAGER, PAGER, PAGER2],
    kernelAddresses: 2,
    markers: 4,
    ...overrides,
  });
}

export function bootTest(arch: ArchName = "proposed", cpus = 1, mutant: KernelMutantName | null = null, overrides: Partial<KernelConfig> = {}): Kernel {
  const variant = kernelVariant(architectures[arch], mutant);
  return Kernel.boot(testConfig(cpus, overrides), variant.arch, variant.rules);
}

/** Let threads yield (or schedule an idle CPU) until `thread` runs on `cpu`. */
export function runOn(k: Kernel, cpu: number, thread: ThreadId): void {
  for (let i = 0; k.threadOn(cpu) !== thread; i++) {
    if (i > 50) throw new Error(`thread ${thread} never reached CPU ${cpu}`);
    if (k.threadOn(cpu) === null) {
      if (k.schedule(cpu) === null) throw new Error(`CPU ${cpu} idle with nothing ready`);
    } else if (k.status(k.threadOn(cpu)!).tag === "trapped") k.dispatch(cpu);
    else executeSyscall(k, cpu, encodeSyscall({ call: "Yield" }));
  }
}

/** Run `call` as `thread` on `cpu` (after bringing it there) and return the error code. */
export function callAs(k: Kernel, thread: ThreadId, call: Syscall, cpu = 0): SyscallError {
  runOn(k, cpu, thread);
  return executeSyscall(k, cpu, encodeSyscall(call)).error;
}

/** The standard contract: region 0 of task 0 assigned to PAGER and accepted by a map of page 3. */
export function contract(k: Kernel, cpu = 0): void {
  if (callAs(k, CLIENT, { call: "AssignManager", region: 0, manager: PAGER }, cpu) !== SyscallError.Ok) throw new Error("assign failed");
  if (callAs(k, PAGER, { call: "Map", task: 0, region: 0, page: 3, frame: 1, rights: "rw" }, cpu) !== SyscallError.Ok) throw new Error("map failed");
}
