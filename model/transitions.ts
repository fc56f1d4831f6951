import type { ActionParams } from "./machine.js";

/**
 * Interns the (action, params) pairs that first reached each state, so the
 * store keeps one small integer per state instead of an object.
 */
export class TransitionTable {
  private readonly ids = new Map<string, number>();
  private readonly actions: number[] = [];
  private readonly params: ActionParams[] = [];

  intern(action: number, params: ActionParams): number {
    const key = `${action}:${JSON.stringify(params)}`;
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.actions.length;
      this.ids.set(key, id);
      this.actions.push(action);
      this.params.push(params);
    }
    return id;
  }

  action(id: number): number {
    return this.actions[id]!;
  }

  paramsOf(id: number): ActionParams {
    return this.params[id]!;
  }
}
