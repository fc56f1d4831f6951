/**
 * Headless Chromium for the rendering tests, driven over the DevTools
 * protocol on a pipe (--remote-debugging-pipe: requests on descriptor 3,
 * answers and events on 4, each message NUL-terminated), so no port, no
 * WebSocket library and nothing downloaded: one browser for every page a
 * test file renders.
 *
 * Chromium is a Debian package that .ci/run installs: with CI=true a missing
 * chromium fails the tests that need it; elsewhere they are skipped.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";

export function findChromium(): string | undefined {
  for (const name of ["chromium", "chromium-browser", "google-chrome"]) {
    const found = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
    if (found.status === 0 && found.stdout.trim() !== "") return found.stdout.trim();
  }
  return undefined;
}

interface Pending {
  readonly resolve: (result: Record<string, unknown>) => void;
  readonly reject: (error: Error) => void;
  readonly method: string;
}

type Listener = (params: Record<string, unknown>, sessionId: string | undefined) => void;

export class Chromium {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private buffer = "";

  private constructor(
    private readonly child: ChildProcess,
    private readonly input: Writable,
    output: Readable,
    private readonly profile: string,
  ) {
    output.setEncoding("utf8");
    output.on("data", (chunk: string) => this.receive(chunk));
    child.on("exit", () => {
      for (const waiting of this.pending.values()) waiting.reject(new Error(`chromium exited before answering ${waiting.method}`));
      this.pending.clear();
    });
  }

  static async launch(executable: string): Promise<Chromium> {
    const profile = mkdtempSync(join(tmpdir(), "multipager-chromium-"));
    const child = spawn(
      executable,
      [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
        "--hide-scrollbars",
        "--remote-debugging-pipe",
        `--user-data-dir=${join(profile, "profile")}`,
        "about:blank",
      ],
      { stdio: ["ignore", "ignore", "ignore", "pipe", "pipe"] },
    );
    const browser = new Chromium(child, child.stdio[3] as Writable, child.stdio[4] as Readable, profile);
    await browser.send("Browser.getVersion");
    return browser;
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    for (let end = this.buffer.indexOf("\0"); end >= 0; end = this.buffer.indexOf("\0")) {
      const message = JSON.parse(this.buffer.slice(0, end)) as { id?: number; result?: Record<string, unknown>; error?: { message: string }; method?: string; params?: Record<string, unknown>; sessionId?: string };
      this.buffer = this.buffer.slice(end + 1);
      if (message.id !== undefined) {
        const waiting = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (message.error !== undefined) waiting?.reject(new Error(`${waiting.method}: ${message.error.message}`));
        else waiting?.resolve(message.result ?? {});
      } else if (message.method !== undefined) {
        for (const listener of this.listeners.get(message.method) ?? []) listener(message.params ?? {}, message.sessionId);
      }
    }
  }

  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, method });
      this.input.write(`${JSON.stringify({ id, method, params, ...(sessionId !== undefined ? { sessionId } : {}) })}\0`);
    });
  }

  /** Resolves at the next event `method` of `sessionId`. */
  once(method: string, sessionId: string): Promise<Record<string, unknown>> {
    return new Promise((resolve) => {
      const listeners = this.listeners.get(method) ?? new Set<Listener>();
      this.listeners.set(method, listeners);
      const listener: Listener = (params, from) => {
        if (from !== sessionId) return;
        listeners.delete(listener);
        resolve(params);
      };
      listeners.add(listener);
    });
  }

  async newPage(width = 1280, height = 800): Promise<Page> {
    const { targetId } = (await this.send("Target.createTarget", { url: "about:blank" })) as { targetId: string };
    const { sessionId } = (await this.send("Target.attachToTarget", { targetId, flatten: true })) as { sessionId: string };
    await this.send("Page.enable", {}, sessionId);
    await this.send("Emulation.setDeviceMetricsOverride", { width, height, deviceScaleFactor: 1, mobile: false }, sessionId);
    return new Page(this, sessionId);
  }

  async close(): Promise<void> {
    const exited = new Promise<void>((resolve) => {
      if (this.child.exitCode !== null) resolve();
      else this.child.once("exit", () => resolve());
    });
    this.send("Browser.close").catch(() => undefined);
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
    rmSync(this.profile, { recursive: true, force: true });
  }
}

export class Page {
  constructor(
    private readonly browser: Chromium,
    private readonly sessionId: string,
  ) {}

  async goto(url: string): Promise<void> {
    const loaded = this.browser.once("Page.loadEventFired", this.sessionId);
    const { errorText } = (await this.browser.send("Page.navigate", { url }, this.sessionId)) as { errorText?: string };
    if (errorText !== undefined) throw new Error(`cannot load ${url}: ${errorText}`);
    await loaded;
  }

  /** The value of a JavaScript expression in the page (awaited when it is a promise), as JSON. */
  async evaluate<T>(expression: string): Promise<T> {
    const answer = (await this.browser.send("Runtime.evaluate", { expression, awaitPromise: true, returnByValue: true }, this.sessionId)) as {
      result: { value?: unknown };
      exceptionDetails?: { text: string; exception?: { description?: string } };
    };
    if (answer.exceptionDetails !== undefined) throw new Error(`in the page: ${answer.exceptionDetails.exception?.description ?? answer.exceptionDetails.text}`);
    return answer.result.value as T;
  }

  /** A PNG of the viewport, resized to width x height first. */
  async screenshot(width: number, height: number): Promise<Buffer> {
    await this.browser.send("Emulation.setDeviceMetricsOverride", { width, height, deviceScaleFactor: 1, mobile: false }, this.sessionId);
    const { data } = (await this.browser.send("Page.captureScreenshot", { format: "png" }, this.sessionId)) as { data: string };
    return Buffer.from(data, "base64");
  }
}
