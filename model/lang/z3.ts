/**
 * z3 (the npm package z3-solver: its WebAssembly build ships inside the
 * package, nothing is downloaded at run time) as an SMT-LIB 2 interpreter:
 * a script in, z3's printed answers out. One context per session. Every
 * call, of every session, goes through one queue: the WebAssembly build runs
 * one call at a time in the whole process.
 */
import { init } from "z3-solver";

type Api = Awaited<ReturnType<typeof init>>["Z3"];

let api: Promise<Api> | undefined;
let queue: Promise<unknown> = Promise.resolve();

/** Runs `call` after every call queued before it. */
function queued<T>(call: () => Promise<T> | T): Promise<T> {
  const result = queue.then(call);
  queue = result.catch(() => undefined);
  return result;
}

/** The WebAssembly module, loaded once per process (about half a second). */
function loadApi(): Promise<Api> {
  api ??= init().then((z3) => z3.Z3);
  return api;
}

export class Z3Session {
  private closed = false;

  private constructor(
    private readonly z3: Api,
    private readonly ctx: ReturnType<Api["mk_context"]>,
  ) {}

  static async open(): Promise<Z3Session> {
    const z3 = await loadApi();
    return queued(() => {
      const cfg = z3.mk_config();
      z3.set_param_value(cfg, "model", "true");
      const ctx = z3.mk_context(cfg);
      z3.del_config(cfg);
      return new Z3Session(z3, ctx);
    });
  }

  /** Runs SMT-LIB 2 commands in this session's context; resolves to what z3 printed. */
  run(script: string): Promise<string> {
    if (this.closed) return Promise.reject(new Error("z3 session closed"));
    return queued(() => this.z3.eval_smtlib2_string(this.ctx, script));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    void queued(() => this.z3.del_context(this.ctx));
  }
}
