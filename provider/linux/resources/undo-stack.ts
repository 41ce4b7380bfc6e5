/**
 * Each step of a multi-step create registers how to undo itself; a failure halfway runs the
 * undos in reverse, so the host is left as it was (bocker's model). Undo errors are collected,
 * not thrown over the original failure.
 */
export class UndoStack {
  private readonly steps: { what: string; undo: () => unknown }[] = [];

  push(what: string, undo: () => unknown): void {
    this.steps.push({ what, undo });
  }

  async unwind(): Promise<string[]> {
    const problems: string[] = [];
    for (const step of this.steps.reverse()) {
      try {
        await step.undo();
      } catch (error) {
        problems.push(`${step.what}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    this.steps.length = 0;
    return problems;
  }

  /** Run `body`; on failure undo what it did and rethrow (with undo problems attached as cause detail). */
  static async run<T>(body: (undo: UndoStack) => Promise<T>): Promise<T> {
    const undo = new UndoStack();
    try {
      return await body(undo);
    } catch (error) {
      const problems = await undo.unwind();
      if (problems.length && error instanceof Error) error.message += ` (and cleanup failed: ${problems.join("; ")})`;
      throw error;
    }
  }
}
