/** Runs `multipager trace ...` in-process, as a user would, capturing its output. */
import { multipager, type Run } from "../cli/run-cli.js";

export type { Run };

export const multipagerTrace = (...argv: string[]): Promise<Run> => multipager("trace", ...argv);
