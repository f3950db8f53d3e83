import type { McpServer, ToolCallback } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  type AnySchema,
  getParseErrorMessage,
  normalizeObjectSchema,
  type ShapeOutput,
  safeParse,
  type ZodRawShapeCompat,
} from '@modelcontextprotocol/sdk/server/zod-compat.js';
import {
  type CallToolResult,
  ErrorCode,
  type JSONRPCMessage,
  type JSONRPCRequest,
  McpError,
  type ToolAnnotations,
} from '@modelcontextprotocol/sdk/types.js';
import { type Metrics, NO_METRICS, type RequestTransport } from '../../ports/metrics.js';
import { isPlainObject, type QuickCheck, quickCheck, quickPick } from './quick-schema-check.js';

/**
 * A result made by mirroredResult: to anything that reads its fields (JSON.stringify, zod, the SDK,
 * tests) the plain `{ content, structuredContent }` it was, with its text (the JSON of its structured
 * content) and, when the caller had them, UTF-8 pieces of that text and of its JSON string in a
 * private field. (A WeakMap from results to these cost a table entry per call, and the garbage
 * collector's pass over weak tables.)
 */
class MirroredResult {
  readonly content: { type: 'text'; text: string }[];
  readonly structuredContent: Record<string, unknown>;
  readonly #mirrored: Mirrored;

  constructor(structured: Record<string, unknown>, mirrored: Mirrored) {
    this.content = [{ type: 'text', text: mirrored.text }];
    this.structuredContent = structured;
    this.#mirrored = mirrored;
  }

  /** What mirroredResult kept of `result`, if it made it. */
  static of(result: object): Mirrored | undefined {
    return #mirrored in result ? (result as MirroredResult).#mirrored : undefined;
  }
}

interface Mirrored {
  readonly text: string;
  /** When the caller had them: text and JSON.stringify(text) as UTF-8 pieces (see Utf8Pieces). */
  readonly pieces:
    | {
        readonly text: Utf8Pieces;
        readonly textString: Utf8Pieces;
        /** When known: at least the UTF-8 bytes of both (spares renderBytes a count per piece). */
        readonly bytes?: number | undefined;
      }
    | undefined;
}

/** UTF-8 pieces, one after the other (see ServeDocs' Utf8Pieces): kept bytes, and strings. */
export type Utf8Pieces = readonly (string | Uint8Array)[];

/**
 * A tool result holding `structured` twice, as clients expect: as structured content and as its
 * JSON in one text item (`text`, when the caller already has it: it must be JSON.stringify's;
 * `pieces`, when it has them too, must be that text and its JSON string). DirectToolCalls.render() writes
 * a reply holding it without serializing the structured content a second time.
 */
export function mirroredResult(
  structured: Record<string, unknown>,
  text: string = JSON.stringify(structured),
  pieces?: Mirrored['pieces'],
): CallToolResult {
  return new MirroredResult(structured, { text, pieces }) as unknown as CallToolResult;
}

/** One of certdocs' tools: registered on McpServers, and answered directly by DirectToolCalls. */
export interface DocsTool {
  readonly name: string;
  register(server: McpServer): void;
  /** The object schemas the SDK validates arguments and structured results with. */
  readonly input: AnySchema;
  readonly output: AnySchema;
  /** The handler, given arguments that passed `input`. */
  call(args: unknown): CallToolResult | Promise<CallToolResult>;
}

export interface DocsToolConfig<In extends ZodRawShapeCompat, Out extends ZodRawShapeCompat> {
  readonly title: string;
  readonly description: string;
  readonly inputSchema: In;
  readonly outputSchema: Out;
  readonly annotations: ToolAnnotations;
}

/** A tool whose handler never looks at the SDK's request context (all of certdocs' tools). */
export function defineTool<In extends ZodRawShapeCompat, Out extends ZodRawShapeCompat>(
  name: string,
  config: DocsToolConfig<In, Out>,
  handler: (args: ShapeOutput<In>) => CallToolResult,
): DocsTool {
  const input = normalizeObjectSchema(config.inputSchema);
  const output = normalizeObjectSchema(config.outputSchema);
  if (!input || !output) throw new Error(`tool ${name}: schemas must be object shapes`);
  return {
    name,
    // ToolCallback<In> is a conditional type TypeScript cannot resolve for a generic In; for a shape
    // it is this handler with an extra context argument that certdocs' tools do not use.
    register: (server) => server.registerTool(name, config, handler as unknown as ToolCallback<In>),
    input,
    output,
    call: (args) => handler(args as ShapeOutput<In>),
  };
}

/**
 * Answers `tools/call` for certdocs' own tools without a trip through an McpServer and its
 * transport: the SDK's Protocol layer costs more per call (an AbortController, three message-type
 * parses, the request re-parsed by the tools/call wrapper, a promise chain, the bridge's timer)
 * than fetching a section does. Validation is the SDK's own (1.32, `McpServer` tools/call):
 * - the request was checked by the endpoint with the SDK's CallToolRequestSchema (arguments that
 *   are not an object are left to the server, whose answer to them is a JSON-RPC error);
 * - arguments are parsed with the tool's input schema through the SDK's zod helpers; a failure is
 *   an `isError` result reading "MCP error -32602: Input validation error: Invalid arguments for
 *   tool <name>: …", word for word as the SDK's;
 * - a result that is not an error must have structured content that passes the output schema,
 *   else an `isError` result with the SDK's "Output validation error" message;
 * - anything a handler throws becomes an `isError` result with its message.
 * The reply is `{ result, jsonrpc, id }` as the SDK sends it. Anything else (other methods, tools
 * it does not know, task-augmented calls) is left to the server: `answer` returns undefined.
 * Each call is recorded in the metrics as MeteredTransport records the server's.
 */
export class DirectToolCalls {
  private readonly tools: ReadonlyMap<string, DocsTool>;
  /**
   * Per tool, quick tests of the common valid arguments and results (quick-schema-check.ts): what
   * passes them surely passes the schema; anything else goes through zod, whose errors are the ones
   * sent. Arguments that pass are picked as zod would (unknown keys stripped).
   */
  private readonly quick = new Map<DocsTool, Quick>();
  /** Where renderBytes writes replies. */
  private readonly slab = new ByteSlab();
  private readonly written = new PieceWriter();

  constructor(
    tools: readonly DocsTool[],
    private readonly transport: RequestTransport,
    private readonly metrics: Metrics = NO_METRICS,
  ) {
    this.tools = new Map(tools.map((t) => [t.name, t]));
    for (const tool of tools) {
      const inputCheck = quickCheck(tool.input);
      const pick = quickPick(tool.input);
      this.quick.set(tool, {
        input: inputCheck && pick ? { check: inputCheck, pick } : undefined,
        output: quickCheck(tool.output),
      });
    }
  }

  answer(request: JSONRPCRequest): JSONRPCMessage | Promise<JSONRPCMessage> | undefined {
    if (request.method !== 'tools/call') return undefined;
    const params = request.params as { name?: unknown; arguments?: unknown; task?: unknown } | undefined;
    if (typeof params?.name !== 'string' || params.task !== undefined) return undefined;
    const tool = this.tools.get(params.name);
    if (!tool) return undefined;
    // Arguments that are not an object fail the SDK's request schema (a JSON-RPC error, not a tool
    // result): the endpoint refuses them first; anyone else gets the server's answer.
    const args = params.arguments;
    if (args !== undefined && (typeof args !== 'object' || args === null || Array.isArray(args)))
      return undefined;
    return this.call(tool, request, args);
  }

  /**
   * The JSON of a reply answer() made around a mirroredResult, written from the text it already
   * holds (the same JSON.stringify(reply) gives, key for key); undefined for any other message.
   */
  render(reply: JSONRPCMessage): string | undefined {
    const { result, id } = reply as { result?: object; id?: unknown };
    const mirrored = result === undefined ? undefined : MirroredResult.of(result);
    if (mirrored === undefined) return undefined;
    const { text } = mirrored;
    return `{"result":{"content":[{"type":"text","text":${JSON.stringify(text)}}],"structuredContent":${text}},"jsonrpc":"2.0","id":${JSON.stringify(id)}}`;
  }

  /**
   * render(), as the UTF-8 bytes of that JSON, when the result came with its text in pieces
   * (written into one buffer: the kept pieces copied, the strings between them encoded); else
   * undefined (render() then gives the string).
   */
  renderBytes(reply: JSONRPCMessage): Uint8Array<ArrayBuffer> | undefined {
    const { result, id } = reply as { result?: object; id?: unknown };
    const pieces = result === undefined ? undefined : MirroredResult.of(result)?.pieces;
    if (pieces === undefined) return undefined;
    const tail = `},"jsonrpc":"2.0","id":${JSON.stringify(id)}}`;
    // Room for the most a string's UTF-8 can take (3 bytes per UTF-16 unit): no byte count per
    // piece before writing it.
    let room = REPLY_HEAD.length + REPLY_MIDDLE.length + 3 * tail.length;
    if (pieces.bytes !== undefined) room += pieces.bytes;
    else {
      for (const p of pieces.textString) room += typeof p === 'string' ? 3 * p.length : p.length;
      for (const p of pieces.text) room += typeof p === 'string' ? 3 * p.length : p.length;
    }
    const out = this.slab.room(room);
    // The constant parts copied, and the tail written in JS when ASCII: each Buffer.write is a call into C++.
    out.set(REPLY_HEAD_BYTES, 0);
    let at = REPLY_HEAD_BYTES.length;
    const written = this.written;
    at = written.write(out, at, pieces.textString, true);
    out.set(REPLY_MIDDLE_BYTES, at);
    at += REPLY_MIDDLE_BYTES.length;
    at = written.write(out, at, pieces.text, false);
    at += writeAscii(out, at, tail) ? tail.length : out.write(tail, at);
    return this.slab.take(out, at);
  }

  /**
   * A reply renderBytes gave has been written out in full (see HttpReply.bodyOwner): when it is the
   * last one taken from its slab, the next is written over it, in memory still in the cache.
   */
  release(body: Uint8Array): void {
    this.slab.release(body);
  }

  /**
   * Synchronous while the handler is (certdocs' are): zod's synchronous parse gives the SDK's
   * asynchronous one's results for schemas without async refinements, which these never have.
   */
  private call(
    tool: DocsTool,
    request: JSONRPCRequest,
    args: unknown,
  ): JSONRPCMessage | Promise<JSONRPCMessage> {
    const started = performance.now();
    let outcome: CallToolResult | Promise<CallToolResult>;
    try {
      outcome = tool.call(this.parsedInput(tool, args ?? {}));
    } catch (e) {
      return this.finish(tool, request, started, errorResult(e));
    }
    return this.finishChecked(tool, request, started, outcome);
  }

  /** The arguments as the tool's input schema parses them; throws the SDK's error if they fail it. */
  private parsedInput(tool: DocsTool, input: unknown): unknown {
    const quick = this.quick.get(tool)?.input;
    if (quick && isPlainObject(input) && quick.check(input)) return quick.pick(input);
    const parsed = safeParse(tool.input, input);
    if (!parsed.success) {
      throw new McpError(
        ErrorCode.InvalidParams,
        `Input validation error: Invalid arguments for tool ${tool.name}: ${getParseErrorMessage(parsed.error)}`,
      );
    }
    return parsed.data;
  }

  private finishChecked(
    tool: DocsTool,
    request: JSONRPCRequest,
    started: number,
    outcome: CallToolResult | Promise<CallToolResult>,
  ): JSONRPCMessage | Promise<JSONRPCMessage> {
    if (outcome instanceof Promise) {
      return outcome.then(
        (result) => this.finish(tool, request, started, this.checked(tool, result)),
        (e: unknown) => this.finish(tool, request, started, errorResult(e)),
      );
    }
    return this.finish(tool, request, started, this.checked(tool, outcome));
  }

  /** The result, or the error result its failed output check makes. */
  private checked(tool: DocsTool, result: CallToolResult): CallToolResult {
    if (result.isError) return result;
    try {
      this.checkOutput(tool, result);
      return result;
    } catch (e) {
      return errorResult(e);
    }
  }

  private finish(
    tool: DocsTool,
    request: JSONRPCRequest,
    started: number,
    result: CallToolResult,
  ): JSONRPCMessage {
    if (this.metrics !== NO_METRICS) {
      this.metrics.requestServed({
        transport: this.transport,
        method: 'tools/call',
        tool: tool.name,
        ok: result.isError !== true,
        ms: performance.now() - started,
      });
    }
    return { result, jsonrpc: '2.0', id: request.id } as JSONRPCMessage;
  }

  private checkOutput(tool: DocsTool, result: CallToolResult): void {
    if (!result.structuredContent) {
      throw new McpError(
        ErrorCode.InvalidParams,
        `Output validation error: Tool ${tool.name} has an output schema but no structured content was provided`,
      );
    }
    if (this.quick.get(tool)?.output?.(result.structuredContent)) return;
    const parsed = safeParse(tool.output, result.structuredContent);
    if (!parsed.success) {
      throw new McpError(
        ErrorCode.InvalidParams,
        `Output validation error: Invalid structured content for tool ${tool.name}: ${getParseErrorMessage(parsed.error)}`,
      );
    }
  }
}

interface Quick {
  readonly input: { check: QuickCheck; pick: (args: Record<string, unknown>) => object } | undefined;
  readonly output: QuickCheck | undefined;
}

/** How large a ByteSlab's slabs are; a reply of more than a quarter of one gets its own buffer. */
const SLAB_BYTES = 1 << 18;

/**
 * Replies written one after another into large shared buffers, as Node's Buffer pool does for
 * small ones (it only pools below 4 KB): a fresh ArrayBuffer per ~11 KB reply is memory outside
 * V8's heap, and allocating it at thousands of replies a second made V8 collect garbage more often
 * (a server under wrk answered searches ~30 % slower than with the reply as a string). A slab is
 * freed once every reply in it has been written and dropped.
 */
class ByteSlab {
  private slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
  private used = 0;

  /** A buffer of at least `bytes` to write into; then take() what was written, and release() it once sent. */
  room(bytes: number): Buffer {
    if (bytes > SLAB_BYTES / 4) return Buffer.allocUnsafeSlow(bytes);
    if (this.used + bytes > SLAB_BYTES) {
      this.slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
      this.used = 0;
    }
    return this.slab.subarray(this.used, this.used + bytes);
  }

  /** The first `bytes` of a buffer room() gave, kept: the slab's next room starts after them. */
  take(room: Buffer, bytes: number): Uint8Array<ArrayBuffer> {
    if (room.buffer === this.slab.buffer) this.used += (bytes + 7) & ~7;
    return new Uint8Array(room.buffer, room.byteOffset, bytes) as Uint8Array<ArrayBuffer>;
  }

  /**
   * What take() gave is no longer read by anyone: if nothing was taken after it, its room is the
   * next room (a sender that writes each reply before the next is made reuses one place).
   */
  release(taken: Uint8Array): void {
    if (taken.buffer === this.slab.buffer && taken.byteOffset + ((taken.byteLength + 7) & ~7) === this.used)
      this.used = taken.byteOffset;
  }
}

/** A mirrored reply's JSON before its text's JSON string, and between it and the structured content. */
const REPLY_HEAD = '{"result":{"content":[{"type":"text","text":';
const REPLY_MIDDLE = '}],"structuredContent":';
const REPLY_HEAD_BYTES = Buffer.from(REPLY_HEAD, 'latin1');
const REPLY_MIDDLE_BYTES = Buffer.from(REPLY_MIDDLE, 'latin1');

/**
 * Strings this short are written a character at a time when ASCII (a score, a comma, a fetch
 * reply's offsets): no call into C++.
 */
const SHORT_STRING = 64;

/**
 * Writes lists of pieces into a buffer. A reply's two lists (its text's JSON string, then the
 * text) mostly hold the same strings in the same order (a snippet without escapes, a score): a
 * string of the second list equal to the one in the same place of the first is copied from
 * where the first was written instead of encoded again (equal strings, equal bytes).
 */
class PieceWriter {
  private strings: string[] = [];
  private starts = new Int32Array(64);
  private ends = new Int32Array(64);
  private count = 0;

  /** The pieces written into `out` from `at` on; returns where they end. `first`: a first list, remembered. */
  write(out: Buffer, at: number, pieces: Utf8Pieces, first: boolean): number {
    let end = at;
    let k = 0;
    if (first) this.count = 0;
    for (const p of pieces) {
      if (typeof p !== 'string') {
        out.set(p, end);
        end += p.length;
        continue;
      }
      const start = end;
      if (p.length <= SHORT_STRING && writeAscii(out, end, p)) end += p.length;
      else if (!first && k < this.count && this.strings[k] === p) {
        const from = this.starts[k] as number;
        const to = this.ends[k] as number;
        out.copyWithin(end, from, to);
        end += to - from;
      } else end += out.write(p, end);
      if (first) this.remember(k, p, start, end);
      k++;
    }
    // Not kept alive until the next reply.
    if (!first) {
      this.strings.length = 0;
      this.count = 0;
    }
    return end;
  }

  private remember(k: number, p: string, start: number, end: number): void {
    if (k === this.starts.length) {
      const starts = new Int32Array(2 * k);
      const ends = new Int32Array(2 * k);
      starts.set(this.starts);
      ends.set(this.ends);
      this.starts = starts;
      this.ends = ends;
    }
    this.strings[k] = p;
    this.starts[k] = start;
    this.ends[k] = end;
    this.count = k + 1;
  }
}

/** Writes s at `at` if it is all ASCII (one byte a character); false (some bytes written) if not. */
function writeAscii(out: Buffer, at: number, s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return false;
    out[at + i] = c;
  }
  return true;
}

/** What a handler's exception (or a failed check) becomes: an error result with its message. */
function errorResult(e: unknown): CallToolResult {
  return { content: [{ type: 'text', text: e instanceof Error ? e.message : String(e) }], isError: true };
}
