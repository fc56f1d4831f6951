/** The simulated 32-bit x86 paging hardware: bit layouts, physical memory, the page walk, per-CPU TLBs and CPUs. */
export * from "./bits.js";
export * from "./memory.js";
export * from "./walk.js";
export * from "./tlb.js";
export * from "./cpu.js";
