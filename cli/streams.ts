/**
 * Standard output and error as the command line uses them. A reader that
 * stops early (`| head`) closes the pipe: that ends the output quietly, with
 * the exit code the command has so far. Any other failure to write standard
 * output (a full disk, `> /dev/full`, an I/O error) is one line on stderr
 * and exit 151, instead of Node's uncaught exception and stack.
 */
import { ExitCode } from "./exit-codes.js";
import { STANDARD_OUTPUT, WriteError } from "../model/atomic-write.js";

export function guardStandardStreams(exit: (code: number) => never = process.exit): void {
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") exit(Number(process.exitCode ?? ExitCode.Ok));
    try {
      process.stderr.write(`multipager: ${new WriteError(STANDARD_OUTPUT, error.code).message}\n`);
    } finally {
      exit(ExitCode.BadInput);
    }
  });
  // Nowhere is left to report a failure of stderr itself: end with the code.
  process.stderr.on("error", (error: NodeJS.ErrnoException) => exit(error.code === "EPIPE" ? Number(process.exitCode ?? ExitCode.Ok) : ExitCode.BadInput));
}
