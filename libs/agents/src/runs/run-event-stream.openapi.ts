/** How the OpenAPI document shows a run's event stream: SSE, with an example of each kind of event. */
export const RUN_EVENT_STREAM_CONTENT = {
  schema: {
    type: 'string',
    description:
      'Server-sent events. `id:` numbers the run’s events 1, 2, 3…; `event:` is the type; `data:` the event as JSON ' +
      '(`type`, `runId` and its fields). run.started `{ input }`; message.delta `{ turn, delta }` (the model’s text as it ' +
      'streams); tool.started `{ turn, callId, name, arguments }`; tool.finished `{ step }` (a ToolStep); run.completed ' +
      '`{ output, usage }`; run.failed `{ status, code, message, usage }`. The last event is run.completed or run.failed; ' +
      'comment lines (`: keep-alive`) may come in between.',
  },
  example: [
    'id: 1\nevent: run.started\ndata: {"type":"run.started","runId":"6f1c…","input":"What is 6 * 7?"}',
    'id: 2\nevent: tool.started\ndata: {"type":"tool.started","runId":"6f1c…","turn":1,"callId":"call_1","name":"calculator","arguments":{"expression":"6 * 7"}}',
    'id: 3\nevent: tool.finished\ndata: {"type":"tool.finished","runId":"6f1c…","step":{"type":"tool","index":2,"turn":1,"callId":"call_1","name":"calculator","result":{"value":42},"isError":false}}',
    'id: 4\nevent: message.delta\ndata: {"type":"message.delta","runId":"6f1c…","turn":2,"delta":"It is "}',
    'id: 5\nevent: message.delta\ndata: {"type":"message.delta","runId":"6f1c…","turn":2,"delta":"42."}',
    'id: 6\nevent: run.completed\ndata: {"type":"run.completed","runId":"6f1c…","output":"It is 42.","usage":{"inputTokens":230,"outputTokens":21,"totalTokens":251}}',
  ]
    .map((event) => `${event}\n\n`)
    .join(''),
};
