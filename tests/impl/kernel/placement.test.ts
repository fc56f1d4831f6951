/**
 * The kernel's fixed physical placement at its bounds: every task's page
 * directory and tables stay below the pagers' frames. With the paper's
 * layout 256 tasks fit exactly; one more would put task 256's page
 * directory onto user frame 0, so a pager owning that frame could rewrite
 * another task's page tables from user mode.
 */
import { describe, expect, test } from "vitest";
import { architectures } from "../../../impl/arch/index.js";
import { KERNEL_LIMITS, validateKernelConfig, type KernelConfig } from "../../../impl/kernel/config.js";
import { Kernel } from "../../../impl/kernel/kernel.js";
import { PAGE_SIZE, PAPER_LAYOUT, smallLayout } from "../../../impl/kernel/layout.js";
import { KERNEL_POOL_BASE, MAX_USER_FRAMES, USER_FRAMES_BASE, maxTasks, placementFor } from "../../../impl/kernel/physical.js";
import { InputError } from "../../../model/input-error.js";

const paperConfig = (tasks: number, frames = 1): KernelConfig =>
  ({
    layout: PAPER_LAYOUT,
    cpus: 1,
    tasks,
    threads: [{ task: 0, pager: true }, { task: tasks - 1 }],
    frames: Array.from({ length: frames }, () => 0),
    kernelAddresses: 0,
    markers: 1,
  }) as KernelConfig;

describe("the kernel's physical placement", () => {
  test("with the paper's layout 256 tasks fit; the bound follows the layout", () => {
    expect(maxTasks(PAPER_LAYOUT)).toBe(256);
    expect(maxTasks(smallLayout(1, 1))).toBe(Math.floor((USER_FRAMES_BASE - KERNEL_POOL_BASE) / (4 * PAGE_SIZE)));
  });

  test("at the bound: 256 tasks boot, and no task's frame is a pager's frame", () => {
    const kernel = Kernel.boot(validateKernelConfig(paperConfig(256)), architectures.proposed);
    const last = kernel.placement.pageTable(255, PAPER_LAYOUT.regions - 1);
    expect(last + PAGE_SIZE).toBe(kernel.placement.userFrame(0));
    expect(kernel.placement.pageDirectory(255)).toBeLessThan(USER_FRAMES_BASE);
  });

  test("one task more is refused with one line naming the field", () => {
    expect(() => validateKernelConfig(paperConfig(257))).toThrow(InputError);
    expect(() => validateKernelConfig(paperConfig(257))).toThrow(
      "kernel configuration: field tasks: 257 tasks do not fit: with 1020 regions at most 256 tasks' page directories and tables fit below the pagers' frames",
    );
  });

  test("and the kernel itself refuses to boot an overlapping placement, even past the validation", () => {
    // The issue's case: task 256's page directory would be user frame 0.
    expect(KERNEL_POOL_BASE + 256 * (PAPER_LAYOUT.regions + 3) * PAGE_SIZE).toBe(USER_FRAMES_BASE);
    expect(() => Kernel.boot(paperConfig(257), architectures.proposed)).toThrow(/kernel placement overlap: 257 tasks/);
    expect(() => placementFor(PAPER_LAYOUT, 256, MAX_USER_FRAMES)).not.toThrow();
    expect(() => placementFor(PAPER_LAYOUT, 256, MAX_USER_FRAMES + 1)).toThrow(/kernel placement overlap/);
  });

  test.each([
    [{ cpus: KERNEL_LIMITS.cpus + 1 }, "field cpus: Expected a number less than or equal to 16"],
    [{ cpus: 0 }, "field cpus: Expected a number greater than or equal to 1"],
    [{ markers: 2 ** 31 + 1 }, "field markers"],
    [{ kernelAddresses: 9 }, "field kernelAddresses"],
    [{ tasks: "many" }, "field tasks: Expected"],
    [{ layout: { ...PAPER_LAYOUT, regions: 5000 } }, "field layout.regions"],
  ])("%j is refused with one line naming the field", (override, message) => {
    expect(() => validateKernelConfig({ ...paperConfig(2), ...override })).toThrow(message);
  });
});
