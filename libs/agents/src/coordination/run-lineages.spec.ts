import type { Principal } from '@app/users';
import { RunLineages } from './run-lineages.js';

const ada = { userId: 'ada' } as Principal;
const bob = { userId: 'bob' } as Principal;

describe('RunLineages', () => {
  const lineages = () => new RunLineages({ heartbeatMs: 10_000, staleAfterMs: 30_000, eventsTtlMs: 60_000, shutdownGraceMs: 1000, maxDepth: 2, runMaxSteps: 10, runMaxTokens: 1000 });

  it('places a delegation below the run that asked, sharing the root and its budget', () => {
    const runs = lineages();
    const root = runs.open(ada, 'root');
    const child = runs.open(ada, 'child', { parentRunId: 'root' });
    const grandchild = runs.open(ada, 'grandchild', { parentRunId: 'child' });
    expect(root).toMatchObject({ parentRunId: null, rootRunId: null, depth: 0 });
    expect(child).toMatchObject({ parentRunId: 'root', rootRunId: 'root', depth: 1 });
    expect(grandchild).toMatchObject({ parentRunId: 'child', rootRunId: 'root', depth: 2 });
    expect(grandchild.budget).toBe(root.budget);
    expect(runs.open(ada, 'other').budget).not.toBe(root.budget);
  });

  it('refuses a delegation past AGENT_MAX_DEPTH', () => {
    const runs = lineages();
    runs.open(ada, 'a');
    runs.open(ada, 'b', { parentRunId: 'a' });
    runs.open(ada, 'c', { parentRunId: 'b' });
    expect(() => runs.open(ada, 'd', { parentRunId: 'c' })).toThrow(expect.objectContaining({ code: 'AGENT_DEPTH_EXCEEDED', status: 409 }));
  });

  it("refuses a delegation from a run that is not in progress, another user's, or one whose call was aborted", () => {
    const runs = lineages();
    const root = runs.open(ada, 'root');
    expect(() => runs.open(ada, 'x', { parentRunId: 'nope' })).toThrow(expect.objectContaining({ code: 'RUN_NOT_ACTIVE' }));
    expect(() => runs.open(bob, 'x', { parentRunId: 'root' })).toThrow(expect.objectContaining({ code: 'RUN_NOT_ACTIVE' }));
    expect(() => runs.open(ada, 'x', { parentRunId: 'root', signal: AbortSignal.abort() })).toThrow(expect.objectContaining({ code: 'RUN_NOT_ACTIVE' }));
    void runs.close(root);
    expect(() => runs.open(ada, 'x', { parentRunId: 'root' })).toThrow(expect.objectContaining({ code: 'RUN_NOT_ACTIVE' }));
  });

  it('closes a run only once the runs it delegated to are closed', async () => {
    const runs = lineages();
    const root = runs.open(ada, 'root');
    const child = runs.open(ada, 'child', { parentRunId: 'root' });
    let rootClosed = false;
    const closing = runs.close(root).then(() => (rootClosed = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(rootClosed).toBe(false);
    await runs.close(child);
    await closing;
    expect(rootClosed).toBe(true);
  });
});
