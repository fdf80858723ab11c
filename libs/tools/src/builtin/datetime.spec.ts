import { DateTime } from 'luxon';
import { ToolExecutionError } from '../tool-handler.js';
import { runDatetime } from './datetime.js';

const pinned = () => DateTime.fromISO('2025-03-30T00:30:00Z');

describe('datetime', () => {
  it('tells the current time in a zone, with its offset and weekday', () => {
    expect(runDatetime({ operation: 'now', timeZone: 'europe/paris' }, pinned)).toEqual({
      iso: '2025-03-30T01:30:00.000+01:00',
      timeZone: 'Europe/Paris',
      offset: '+01:00',
      epochMillis: Date.parse('2025-03-30T00:30:00Z'),
      weekday: 'Sunday',
    });
  });

  it('adds calendar durations on the wall clock across a DST change, and fields alike', () => {
    // Paris springs forward at 02:00 on 2025-03-30: a day later is still 12:00, though only 23 hours passed.
    expect(runDatetime({ operation: 'add', date: '2025-03-29T12:00', timeZone: 'Europe/Paris', duration: 'P1D' }).iso).toBe('2025-03-30T12:00:00.000+02:00');
    expect(runDatetime({ operation: 'add', date: '2025-03-29T12:00', timeZone: 'Europe/Paris', duration: 'PT24H' }).iso).toBe('2025-03-30T13:00:00.000+02:00');
    expect(runDatetime({ operation: 'add', date: '2024-01-31', duration: { months: 1, days: -1 } }).iso).toBe('2024-02-28T00:00:00.000Z');
    expect(runDatetime({ operation: 'add', date: '2024-01-01T00:00:00Z', duration: '-PT90M' }).iso).toBe('2023-12-31T22:30:00.000Z');
  });

  it('measures differences as a duration and in a unit, negative when `to` comes first', () => {
    expect(runDatetime({ operation: 'diff', from: '2024-01-15', to: '2024-03-20T06:00', unit: 'days' })).toEqual({
      duration: 'P2M5DT6H',
      milliseconds: 65.25 * 86_400_000,
      unit: 'days',
      value: 65.25,
    });
    expect(runDatetime({ operation: 'diff', from: '2024-01-02', to: '2024-01-01' })).toEqual({ duration: '-P1D', milliseconds: -86_400_000 });
  });

  it('formats with a pattern and a locale, and converts between zones', () => {
    const formatted = runDatetime({ operation: 'format', date: '2025-07-14T09:05:00Z', timeZone: 'Asia/Tokyo', format: "cccc d LLLL yyyy 'at' HH:mm", locale: 'fr-FR' });
    expect(formatted.formatted).toBe('lundi 14 juillet 2025 at 18:05');
    const converted = runDatetime({ operation: 'convert', date: '2025-01-10T09:00', timeZone: 'America/New_York', toTimeZone: 'Asia/Kolkata' });
    expect(converted).toMatchObject({ iso: '2025-01-10T19:30:00.000+05:30', timeZone: 'Asia/Kolkata', offset: '+05:30' });
  });

  it('refuses unknown zones, the server zone and unparsable dates with codes', () => {
    const failure = (args: Parameters<typeof runDatetime>[0]) => {
      try {
        runDatetime(args);
      } catch (error) {
        return { code: (error as ToolExecutionError).code, message: (error as Error).message };
      }
      throw new Error('expected a failure');
    };
    expect(failure({ operation: 'now', timeZone: 'Mars/Olympus' })).toEqual({ code: 'TIME_ZONE_INVALID', message: expect.stringContaining('"Mars/Olympus"') });
    expect(failure({ operation: 'now', timeZone: 'local' }).code).toBe('TIME_ZONE_INVALID');
    expect(failure({ operation: 'format', date: 'next tuesday' })).toEqual({ code: 'DATE_INVALID', message: expect.stringContaining('"next tuesday"') });
    expect(failure({ operation: 'diff', from: '2024-02-30', to: '2024-03-01' }).code).toBe('DATE_INVALID');
  });
});
