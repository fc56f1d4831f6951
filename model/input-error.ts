/**
 * An error caused by input from outside (a command-line argument, a
 * configuration, trace or case file): the command line prints its message as
 * one line, never with a stack trace, and exits with the code for its kind.
 * Every layer may throw it; only cli/ decides exit codes.
 */
export type InputErrorKind = "usage" | "bad-input";

export class InputError extends Error {
  constructor(
    message: string,
    readonly kind: InputErrorKind = "bad-input",
  ) {
    super(message);
    this.name = "InputError";
  }
}
