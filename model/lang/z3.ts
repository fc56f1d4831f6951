/**
 * z3 (the npm package z3-solver: its WebAssembly build ships inside the
 * package, nothing is downloaded at run time) as an SMT-LIB 2 interpreter:
 * a script in, z3's printed answers out. One context per session. Every
 * call, of every session, goes through one queue: the WebAssembly build runs
 * one call at a time in the whole process.
 */
import { init } from "z3-solver";

type Loaded = Awaited<ReturnType<typeof init>>;
type Api = Loaded["Z3"];

/** The emscripten module's own calls (the package's eval passes the script on the stack, where a call running in another thread may still read it after the stack is reused). */
interface Module {
  _malloc(size: number): number;
  _free(pointer: number): void;
  HEAPU8: Uint8Array;
  ccall(name: string, result: string, args: readonly string[], values: readonly number[]): unknown;
  async_call(f: () => unknown): Promise<string>;
}

let api: Promise<{ z3: Api; em: Module }> | undefined;
let queue: Promise<unknown> = Promise.resolve();

/** Runs `call` after every call queued before it. */
function queued<T>(call: () => Promise<T> | T): Promise<T> {
  const result = queue.then(call);
  queue = result.catch(() => undefined);
  return result;
}

/** The WebAssembly module, loaded once per process (about half a second). */
function loadApi(): Promise<{ z3: Api; em: Module }> {
  api ??= init().then((loaded) => ({ z3: loaded.Z3, em: loaded.em as unknown as Module }));
  return api;
}

export class Z3Session {
  private closed = false;

  private constructor(
    private readonly z3: Api,
    private readonly em: Module,
    private readonly ctx: ReturnType<Api["mk_context"]>,
  ) {}

  static async open(): Promise<Z3Session> {
    const { z3, em } = await loadApi();
    return queued(() => {
      const cfg = z3.mk_config();
      z3.set_param_value(cfg, "model", "true");
      const ctx = z3.mk_context(cfg);
      z3.del_config(cfg);
      return new Z3Session(z3, em, ctx);
    });
  }

  /** Runs SMT-LIB 2 commands in this session's context; resolves to what z3 printed. */
  run(script: string): Promise<string> {
    if (this.closed) return Promise.reject(new Error("z3 session closed"));
    return queued(async () => {
      // The script lives on the heap until z3 has answered.
      const bytes = new TextEncoder().encode(script);
      const pointer = this.em._malloc(bytes.length + 1);
      this.em.HEAPU8.set(bytes, pointer);
      this.em.HEAPU8[pointer + bytes.length] = 0;
      try {
        return await this.em.async_call(() => this.em.ccall("async_Z3_eval_smtlib2_string", "void", ["number", "number"], [this.ctx as unknown as number, pointer]));
      } finally {
        this.em._free(pointer);
      }
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    void queued(() => this.z3.del_context(this.ctx));
  }
}

/** The version of z3 inside the package, e.g. "5.1.0". */
export async function z3Version(): Promise<string> {
  const { z3 } = await loadApi();
  const v = z3.get_version();
  return `${v.major}.${v.minor}.${v.build_number}`;
}
