import { DateTime, Duration, Info, type DurationLikeObject, type DurationUnit } from 'luxon';
import { ToolExecutionError } from '../tool-handler.js';
import type { BuiltinTool } from './builtin-tool.js';

const OPERATIONS = ['now', 'add', 'diff', 'format', 'convert'] as const;
type Operation = (typeof OPERATIONS)[number];
const DIFF_UNITS = ['years', 'quarters', 'months', 'weeks', 'days', 'hours', 'minutes', 'seconds', 'milliseconds'] as const;
type DiffUnit = (typeof DIFF_UNITS)[number];
// The calendar breakdown of a diff: weeks and quarters are left out so "P1M10D" reads as people expect.
const BREAKDOWN: DurationUnit[] = ['years', 'months', 'days', 'hours', 'minutes', 'seconds', 'milliseconds'];
const DURATION_FIELDS = ['years', 'quarters', 'months', 'weeks', 'days', 'hours', 'minutes', 'seconds', 'milliseconds'] as const;

interface DatetimeArgs {
  operation: Operation;
  date?: string;
  from?: string;
  to?: string;
  timeZone?: string;
  toTimeZone?: string;
  duration?: string | DurationLikeObject;
  unit?: DiffUnit;
  format?: string;
  locale?: string;
}

const ISO_DURATION = '^-?P(?!$)(\\d+(\\.\\d+)?Y)?(\\d+(\\.\\d+)?M)?(\\d+(\\.\\d+)?W)?(\\d+(\\.\\d+)?D)?(T(?=\\d)(\\d+(\\.\\d+)?H)?(\\d+(\\.\\d+)?M)?(\\d+(\\.\\d+)?S)?)?$';
const dateString = (description: string) => ({ type: 'string', minLength: 1, maxLength: 64, description });

/** Each operation's required arguments, and the ones it would silently ignore (refused, so a caller learns at once). */
const ARGUMENTS_BY_OPERATION: Record<Operation, { required: string[]; allowed: string[] }> = {
  now: { required: [], allowed: ['timeZone', 'format', 'locale'] },
  add: { required: ['date', 'duration'], allowed: ['date', 'duration', 'timeZone', 'format', 'locale'] },
  diff: { required: ['from', 'to'], allowed: ['from', 'to', 'unit', 'timeZone'] },
  format: { required: ['date'], allowed: ['date', 'timeZone', 'format', 'locale'] },
  convert: { required: ['date', 'toTimeZone'], allowed: ['date', 'timeZone', 'toTimeZone', 'format', 'locale'] },
};

const inputProperties = {
  operation: {
    enum: OPERATIONS,
    description:
      'now: the current time; add: date plus duration; diff: time from `from` to `to`; format: render date with format/locale; ' +
      'convert: date shown in toTimeZone',
  },
  date: dateString(
    'An ISO 8601 date or date-time, e.g. "2025-03-30", "2025-03-30T14:00" or "2025-03-30T14:00:00Z". Without an offset it is ' +
      'read as wall-clock time in timeZone.',
  ),
  from: dateString('diff: the start, ISO 8601 (read in timeZone when it has no offset)'),
  to: dateString('diff: the end, ISO 8601 (read in timeZone when it has no offset); before `from` gives a negative result'),
  timeZone: {
    type: 'string',
    minLength: 1,
    maxLength: 64,
    default: 'UTC',
    description: 'IANA time zone the dates are read and the result shown in, e.g. "Europe/Paris", "America/New_York", "UTC", "UTC+5"',
  },
  toTimeZone: { type: 'string', minLength: 1, maxLength: 64, description: 'convert: the IANA time zone to show the date in' },
  duration: {
    description: 'add: what to add (negative values subtract). Calendar units (days, months) follow the wall clock across DST changes.',
    oneOf: [
      { type: 'string', pattern: ISO_DURATION, description: 'An ISO 8601 duration, e.g. "P1DT2H", "P2W", "-PT30M"' },
      {
        type: 'object',
        description: 'Fields to add, e.g. {"months": 1, "days": -2}',
        properties: Object.fromEntries(DURATION_FIELDS.map((field) => [field, { type: 'number', description: `${field} to add` }])),
        minProperties: 1,
        additionalProperties: false,
      },
    ],
  },
  unit: {
    enum: DIFF_UNITS,
    description: 'diff: also give the difference as a (possibly fractional) number of this unit; the ISO duration is always given',
  },
  format: {
    type: 'string',
    minLength: 1,
    maxLength: 200,
    description: 'A Luxon format pattern, e.g. "yyyy-LL-dd HH:mm", "cccc d LLLL yyyy", "h:mm a ZZZZ"; text in single quotes is literal',
  },
  locale: {
    type: 'string',
    pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$',
    maxLength: 35,
    description: 'A BCP 47 locale for month and day names, e.g. "en-US", "de-DE", "ja-JP"; alone it gives the locale\'s full date-time',
  },
};

export const DATETIME_INPUT_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  properties: inputProperties,
  required: ['operation'],
  additionalProperties: false,
  // One branch per operation: errors point at the argument that is missing or does not belong, never at other branches.
  allOf: OPERATIONS.map((operation) => ({
    if: { properties: { operation: { const: operation } }, required: ['operation'] },
    then: {
      required: ARGUMENTS_BY_OPERATION[operation].required,
      properties: Object.fromEntries(['operation', ...ARGUMENTS_BY_OPERATION[operation].allowed].map((name) => [name, true])),
      additionalProperties: false,
    },
  })),
};

export const DATETIME_OUTPUT_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  properties: {
    iso: { type: 'string', description: 'now/add/format/convert: the date-time, ISO 8601 with its offset' },
    timeZone: { type: 'string', description: 'The IANA time zone the result is shown in' },
    offset: { type: 'string', description: 'The UTC offset in effect then, e.g. "+02:00"' },
    epochMillis: { type: 'number', description: 'Milliseconds since 1970-01-01T00:00:00Z' },
    weekday: { type: 'string', description: 'The day of the week in English, e.g. "Monday"' },
    formatted: { type: 'string', description: 'The date rendered with format and/or locale, when either was given' },
    duration: { type: 'string', description: 'diff: the difference as an ISO 8601 duration, e.g. "P1M2DT3H" (negative: "-P1D")' },
    milliseconds: { type: 'number', description: 'diff: the exact difference in milliseconds' },
    unit: { enum: DIFF_UNITS, description: 'diff: the unit of value' },
    value: { type: 'number', description: 'diff: the difference in unit, possibly fractional' },
  },
  additionalProperties: false,
};

type DatetimeResult = Record<string, string | number>;

function zoneOf(name: string): string {
  const zone = Info.normalizeZone(name);
  // "local"/"system" would be the server's zone, meaningless to a caller.
  if (!zone || !zone.isValid || zone.type === 'system') {
    throw new ToolExecutionError(`"${name}" is not a known time zone; use an IANA name such as "Europe/Berlin" or "UTC"`, 'TIME_ZONE_INVALID');
  }
  return zone.type === 'iana' ? (zoneSpellings().get(zone.name.toLowerCase()) ?? zone.name) : zone.name;
}

let spellings: Map<string, string> | undefined;
/** "europe/paris" → "Europe/Paris"; names are kept as given otherwise (Intl's canonical ids are dated: Asia/Calcutta). */
function zoneSpellings(): Map<string, string> {
  spellings ??= new Map(Intl.supportedValuesOf('timeZone').map((name) => [name.toLowerCase(), name]));
  return spellings;
}

function parseDate(text: string, zone: string, argument: string): DateTime {
  const parsed = DateTime.fromISO(text, { zone });
  if (!parsed.isValid) {
    throw new ToolExecutionError(`${argument} "${text}" is not an ISO 8601 date or date-time (e.g. "2025-03-30T14:00:00Z")`, 'DATE_INVALID');
  }
  return parsed;
}

function parseDuration(duration: string | DurationLikeObject): Duration {
  const parsed = typeof duration === 'string' ? Duration.fromISO(duration) : Duration.fromObject(duration);
  if (!parsed.isValid) throw new ToolExecutionError(`duration ${JSON.stringify(duration)} is not valid: ${parsed.invalidExplanation}`, 'DURATION_INVALID');
  return parsed;
}

function describeInstant(date: DateTime, args: Pick<DatetimeArgs, 'format' | 'locale'>): DatetimeResult {
  if (!date.isValid) throw new ToolExecutionError(`the result is not a valid date: ${date.invalidExplanation}`, 'DATE_OUT_OF_RANGE');
  const result: DatetimeResult = {
    iso: date.toISO()!,
    timeZone: date.zoneName!,
    offset: date.toFormat('ZZ'),
    epochMillis: date.toMillis(),
    weekday: date.setLocale('en-US').weekdayLong!,
  };
  if (args.format || args.locale) {
    let localized: DateTime;
    try {
      localized = args.locale ? date.setLocale(args.locale) : date;
      result.formatted = args.format ? localized.toFormat(args.format) : localized.toLocaleString(DateTime.DATETIME_FULL);
    } catch (error) {
      throw new ToolExecutionError(`cannot format with locale "${args.locale}": ${(error as Error).message}`, 'LOCALE_INVALID');
    }
  }
  return result;
}

/** "-P1D" rather than Luxon's "P-1D" for a negative difference. */
function differenceOf(from: DateTime, to: DateTime, unit?: DiffUnit): DatetimeResult {
  const milliseconds = to.toMillis() - from.toMillis();
  const [start, end] = milliseconds < 0 ? [to, from] : [from, to];
  const magnitude = end.diff(start, BREAKDOWN).toISO() ?? 'PT0S';
  const result: DatetimeResult = { duration: milliseconds < 0 ? `-${magnitude}` : magnitude, milliseconds };
  if (unit) Object.assign(result, { unit, value: to.diff(from, unit).get(unit) });
  return result;
}

/** `now` is a parameter so tests can pin the clock. */
export function runDatetime(args: DatetimeArgs, now: () => DateTime = () => DateTime.now()): DatetimeResult {
  const zone = zoneOf(args.timeZone ?? 'UTC');
  switch (args.operation) {
    case 'now':
      return describeInstant(now().setZone(zone), args);
    case 'add':
      return describeInstant(parseDate(args.date!, zone, 'date').plus(parseDuration(args.duration!)), args);
    case 'diff':
      return differenceOf(parseDate(args.from!, zone, 'from'), parseDate(args.to!, zone, 'to'), args.unit);
    case 'format':
      return describeInstant(parseDate(args.date!, zone, 'date'), args);
    case 'convert':
      return describeInstant(parseDate(args.date!, zone, 'date').setZone(zoneOf(args.toTimeZone!)), args);
  }
}

export const datetime: BuiltinTool = {
  name: 'datetime',
  title: 'Date and time',
  description:
    'Current time in any IANA time zone, adding or subtracting an ISO 8601 duration (such as "P1M" or "-PT90M"), the difference ' +
    'between two dates (as a duration or in one unit), formatting with a pattern or locale, and conversion between time zones. ' +
    'DST-aware. Pick the operation, then pass only the arguments it names.',
  inputSchema: DATETIME_INPUT_SCHEMA,
  outputSchema: DATETIME_OUTPUT_SCHEMA,
  annotations: { readOnlyHint: true, idempotentHint: true, destructiveHint: false, openWorldHint: false },
  // "now" changes every call.
  cacheTtlSeconds: 0,
  run: async (args) => runDatetime(args as unknown as DatetimeArgs),
};
