/**
 * Where a command's text for people goes: standard output, unless the
 * trace file itself is written there (`--itf -`, `--itf /dev/stdout`), in
 * which case standard output carries only the file and the text goes to
 * standard error, so `multipager check --itf - | jq` reads clean JSON.
 */
import { descriptorOf } from "../model/atomic-write.js";

export type Say = (text: string) => void;

export function humanOutput(traceTarget: string | undefined): Say {
  const stream = traceTarget !== undefined && descriptorOf(traceTarget) === 1 ? process.stderr : process.stdout;
  return (text) => {
    stream.write(text.endsWith("\n") ? text : `${text}\n`);
  };
}
