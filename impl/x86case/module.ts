/**
 * The binary form of a case, as the test kernel (tests/x86/kernel/pagetest.asm)
 * reads it from its multiboot module. Little-endian 32-bit words:
 *
 *   header (24 bytes): magic "MPX1", version 1, flags (bit 0 CR0.WP, bit 1
 *                      CR4.PSE), CR3, image word count N, operation count M
 *   N x (physical address, value)
 *   M x (operation code, address, value)   codes: read0 1, write0 2, read3 3,
 *        write3 4, invlpg 5, cr3 6, wp 7, pse 8, poke 9; wp/pse carry 0|1 in
 *        the address field
 */
import { match } from "ts-pattern";
import type { Operation, OperationKind, X86Case } from "./format.js";
import { moduleSize } from "./format.js";

export const MODULE_MAGIC = 0x3158_504d; // "MPX1"
export const MODULE_VERSION = 1;
export const MODULE_FLAG_WP = 1 << 0;
export const MODULE_FLAG_PSE = 1 << 1;

export const OPERATION_CODES: Readonly<Record<OperationKind, number>> = {
  read0: 1,
  write0: 2,
  read3: 3,
  write3: 4,
  invlpg: 5,
  cr3: 6,
  wp: 7,
  pse: 8,
  poke: 9,
};

function operationFields(op: Operation): [number, number] {
  return match(op)
    .with({ kind: "read0" }, { kind: "read3" }, { kind: "invlpg" }, { kind: "cr3" }, (o) => [o.address, 0] as [number, number])
    .with({ kind: "write0" }, { kind: "write3" }, { kind: "poke" }, (o) => [o.address, o.value] as [number, number])
    .with({ kind: "wp" }, { kind: "pse" }, (o) => [o.on ? 1 : 0, 0] as [number, number])
    .exhaustive();
}

export function toModule(c: X86Case): Uint8Array {
  const bytes = new Uint8Array(moduleSize(c));
  const view = new DataView(bytes.buffer);
  let offset = 0;
  const put = (word: number): void => {
    view.setUint32(offset, word >>> 0, true);
    offset += 4;
  };
  put(MODULE_MAGIC);
  put(MODULE_VERSION);
  put((c.wp ? MODULE_FLAG_WP : 0) | (c.pse ? MODULE_FLAG_PSE : 0));
  put(c.cr3);
  put(c.image.length);
  put(c.operations.length);
  for (const [paddr, value] of c.image) {
    put(paddr);
    put(value);
  }
  for (const op of c.operations) {
    const [address, value] = operationFields(op);
    put(OPERATION_CODES[op.kind]);
    put(address);
    put(value);
  }
  return bytes;
}
