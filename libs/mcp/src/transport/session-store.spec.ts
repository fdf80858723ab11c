import { jest } from '@jest/globals';
import { InMemorySessionStore, type McpSessionRecord } from './session-store.js';

const record: McpSessionRecord = {
  id: 'session-1',
  ownerId: 'user-1',
  initialize: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'client', version: '1' } },
};

describe('InMemorySessionStore', () => {
  let now = 1_000_000;
  beforeEach(() => {
    jest.spyOn(Date, 'now').mockImplementation(() => now);
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('forgets a session unused for the idle timeout, and each use starts the timeout again', async () => {
    const store = new InMemorySessionStore(1000);
    await store.create(record);
    now += 900;
    expect(await store.touch(record.id)).toEqual(record);
    now += 900;
    expect(await store.touch(record.id)).toEqual(record);
    now += 1000;
    expect(await store.touch(record.id)).toBeUndefined();
  });

  it('drops expired sessions when new ones open, so abandoned ones never pile up', async () => {
    const store = new InMemorySessionStore(1000);
    await store.create(record);
    now += 2000;
    await store.create({ ...record, id: 'session-2' });
    now -= 2000;
    // Back within the first one's window, it is gone all the same: it was purged, not just hidden.
    expect(await store.touch(record.id)).toBeUndefined();
  });
});
