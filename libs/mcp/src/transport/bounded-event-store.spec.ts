import type { JSONRPCMessage } from '@modelcontextprotocol/server';
import { BoundedEventStore } from './bounded-event-store.js';

const note = (n: number): JSONRPCMessage => ({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 1, progress: n } });

describe('BoundedEventStore', () => {
  it('replays the events of the same stream after the last one the client saw', async () => {
    const store = new BoundedEventStore(10);
    const first = await store.storeEvent('a', note(1));
    await store.storeEvent('b', note(2));
    const third = await store.storeEvent('a', note(3));
    const replayed: [string, JSONRPCMessage][] = [];
    expect(await store.replayEventsAfter(first, { send: async (id, message) => void replayed.push([id, message]) })).toBe('a');
    expect(replayed).toEqual([[third, note(3)]]);
    expect(await store.getStreamIdForEventId(third)).toBe('a');
  });

  it('keeps only the latest events, and refuses to resume from one it no longer has', async () => {
    const store = new BoundedEventStore(2);
    const oldest = await store.storeEvent('a', note(1));
    await store.storeEvent('a', note(2));
    await store.storeEvent('a', note(3));
    expect(await store.getStreamIdForEventId(oldest)).toBeUndefined();
    await expect(store.replayEventsAfter(oldest, { send: async () => undefined })).rejects.toThrow(/no longer kept/);
  });
});
