/** One server-sent event, its data parsed as JSON. */
export interface SseEvent {
  id: number;
  event: string;
  data: any;
}

/** The events of a `text/event-stream` response as they arrive (comment lines skipped), until the server ends it. */
export async function* sseEvents(response: Response): AsyncGenerator<SseEvent> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields: Record<string, string> = {};
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) continue;
          const colon = line.indexOf(':');
          fields[line.slice(0, colon)] = line.slice(colon + 1).replace(/^ /, '');
        }
        if (fields.event) yield { id: Number(fields.id), event: fields.event, data: JSON.parse(fields.data) };
      }
    }
  } finally {
    reader.releaseLock();
  }
}

/** Every event of a stream the server ends by itself. */
export async function allEvents(response: Response): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  for await (const event of sseEvents(response)) events.push(event);
  return events;
}
