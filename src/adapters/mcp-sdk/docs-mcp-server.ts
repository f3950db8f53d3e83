import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  type CallToolResult,
  ErrorCode,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  McpError,
  ReadResourceRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { z } from 'zod';
import { isDomainError } from '../../domain/errors.js';
import {
  CHARS_PER_TOKEN,
  DEFAULT_FETCH_CHARS,
  DEFAULT_SEARCH_CHARS,
  DEFAULT_SEARCH_LIMIT,
  MAX_FETCH_CHARS,
  MAX_ID_CHARS,
  MAX_QUERY_CHARS,
  MAX_SEARCH_LIMIT,
  type ReadOutcome,
  type RestSection,
  type ServeDocs,
} from '../../domain/serve-docs.js';
import type { Logger } from '../../ports/logger.js';
import { type Metrics, NO_METRICS, type RequestTransport } from '../../ports/metrics.js';
import {
  DirectToolCalls,
  type DocsTool,
  defineTool,
  mirroredResult,
  type Utf8Pieces,
} from './direct-tool-calls.js';
import { MeteredTransport } from './metered-transport.js';

export const RESOURCE_SCHEME = 'docs://';
/** The tools registered below, by name: requests for any other tool are counted as "other". */
export const TOOL_NAMES: ReadonlySet<string> = new Set(['search', 'fetch', 'list_documents', 'outline']);
const RESOURCE_PAGE = 500;

const INSTRUCTIONS = `This server gives access to a documentation corpus, split into sections along headings.
Use "search" with a question or keywords to find sections (best first, each with a snippet), then "fetch" an id to read it.
"fetch" accepts a section id (returns the section and its subsections) or a document id (the whole document); long texts come in pages: pass metadata.nextOffset back as "offset" to continue.
Use "outline" to see a document's table of contents and "list_documents" to browse what exists.
Documents and sections are also resources (docs://<doc>, docs://<doc>#<section>); a long one comes as its first page plus where the rest is.`;

const provenance = {
  source: z.string().describe('Where the corpus was loaded from'),
  indexBuiltAt: z.string().describe('When the served index was built (ISO 8601)'),
};

const searchOutput = {
  results: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      url: z.string(),
      snippet: z.string(),
      document: z.string(),
      headingPath: z.array(z.string()),
      score: z.number(),
    }),
  ),
  ...provenance,
};

const fetchOutput = {
  id: z.string(),
  title: z.string(),
  text: z.string(),
  url: z.string(),
  metadata: z.object({
    ...provenance,
    document: z.string(),
    documentPath: z.string(),
    headingPath: z.array(z.string()),
    offset: z.number(),
    nextOffset: z.number().nullable(),
    totalChars: z.number(),
  }),
};

const listOutput = {
  documents: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      url: z.string(),
      path: z.string(),
      sections: z.number(),
      chars: z.number(),
    }),
  ),
  total: z.number(),
  nextOffset: z.number().nullable(),
};

const outlineOutput = {
  id: z.string(),
  title: z.string(),
  url: z.string(),
  sections: z.array(z.object({ id: z.string(), title: z.string(), level: z.number(), chars: z.number() })),
};

const READ_ONLY = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };

/** An McpServer whose every connection goes through `meter` (MeteredTransport records its requests). */
class MeteredMcpServer extends McpServer {
  constructor(
    private readonly meter: (t: Transport) => Transport,
    ...args: ConstructorParameters<typeof McpServer>
  ) {
    super(...args);
  }

  override connect(transport: Transport): Promise<void> {
    return super.connect(this.meter(transport));
  }
}

/**
 * Builds MCP servers over one ServeDocs. Every server shares one JSON-schema validator: building
 * an Ajv per server is what makes the SDK's stock per-request pattern slow.
 */
export class DocsMcpServerFactory {
  private readonly validator = new AjvJsonSchemaValidator();
  /** Built once: every server registers the same definitions (and zod schemas). */
  private readonly tools: readonly DocsTool[];

  constructor(
    private readonly docs: ServeDocs,
    private readonly logger: Logger,
    /** The server's name and version, as the client sees them in `initialize`. */
    private readonly info: { name: string; version: string },
    private readonly metrics: Metrics = NO_METRICS,
  ) {
    this.tools = this.toolTable();
  }

  /** Answers tools/call of these tools without a server, recorded under `transport`. */
  directCalls(transport: RequestTransport): DirectToolCalls {
    return new DirectToolCalls(this.tools, transport, this.metrics);
  }

  /** `transport`: the requests this server answers are recorded in the metrics under its name. */
  create(transport?: RequestTransport): McpServer {
    const metrics = this.metrics;
    const meter =
      transport && metrics !== NO_METRICS
        ? (t: Transport) => new MeteredTransport(t, transport, metrics, TOOL_NAMES)
        : (t: Transport) => t;
    const server = new MeteredMcpServer(meter, this.info, {
      instructions: INSTRUCTIONS,
      jsonSchemaValidator: this.validator,
      capabilities: { resources: { listChanged: true }, tools: { listChanged: false } },
    });
    this.register(server);
    return server;
  }

  /**
   * Registers certdocs' tools and resources on a server built elsewhere (the benchmark's stock
   * SDK pattern builds its own per request, so that only the transport pattern differs).
   */
  register(server: McpServer): void {
    for (const tool of this.tools) tool.register(server);
    this.registerResources(server);
  }

  /** certdocs' tools: registered on every server, and answered directly by DirectToolCalls. */
  private toolTable(): DocsTool[] {
    const docs = this.docs;
    return [
      defineTool(
        'search',
        {
          title: 'Search the documentation',
          description:
            'Full-text search over documentation sections. Returns the best-matching sections first, each with an id, title, url and a short snippet around the matched words. Phrase the query as a question or keywords; then call "fetch" with a result id to read the section.',
          inputSchema: {
            query: z
              .string()
              .trim()
              .min(1, 'query must not be empty')
              .max(MAX_QUERY_CHARS)
              .describe('What to look for'),
            limit: z
              .number()
              .int()
              .min(1)
              .max(MAX_SEARCH_LIMIT)
              .optional()
              .describe(`Maximum number of results (default ${DEFAULT_SEARCH_LIMIT})`),
            maxChars: z
              .number()
              .int()
              .min(200)
              .max(MAX_FETCH_CHARS)
              .optional()
              .describe(`Character budget for the whole result (default ${DEFAULT_SEARCH_CHARS})`),
            maxTokens: z
              .number()
              .int()
              .min(50)
              .max(MAX_FETCH_CHARS / CHARS_PER_TOKEN)
              .optional()
              .describe(
                `Token budget for the whole result, at ~${CHARS_PER_TOKEN} characters a token; with maxChars, the smaller wins`,
              ),
          },
          outputSchema: searchOutput,
          annotations: READ_ONLY,
        },
        (args) => this.runWithJson(() => docs.searchJson(args)),
      ),
      defineTool(
        'fetch',
        {
          title: 'Read a section or document',
          description:
            'Returns the Markdown of a section (with its subsections) or of a whole document, by the id from "search", "outline" or "list_documents". Long texts are paged: when metadata.nextOffset is not null, call again with offset = nextOffset to read on.',
          inputSchema: {
            id: z.string().min(1).max(MAX_ID_CHARS).describe('A section id ("doc#anchor") or a document id'),
            offset: z.number().int().min(0).optional().describe('Character offset to start from (default 0)'),
            maxChars: z
              .number()
              .int()
              .min(500)
              .max(MAX_FETCH_CHARS)
              .optional()
              .describe(`Page size in characters (default ${DEFAULT_FETCH_CHARS})`),
            maxTokens: z
              .number()
              .int()
              .min(125)
              .max(MAX_FETCH_CHARS / CHARS_PER_TOKEN)
              .optional()
              .describe(
                `Page size in tokens, at ~${CHARS_PER_TOKEN} characters a token; with maxChars, the smaller wins`,
              ),
          },
          outputSchema: fetchOutput,
          annotations: READ_ONLY,
        },
        (args) => this.runWithJson(() => docs.fetchJson(args)),
      ),
      defineTool(
        'list_documents',
        {
          title: 'List documents',
          description:
            'Lists the documents in the corpus (id, title, number of sections, size), optionally only those whose id starts with a prefix. Paged with offset / nextOffset.',
          inputSchema: {
            prefix: z
              .string()
              .max(MAX_ID_CHARS)
              .optional()
              .describe('Only documents whose id starts with this'),
            offset: z.number().int().min(0).optional(),
            limit: z.number().int().min(1).max(500).optional().describe('Page size (default 100)'),
          },
          outputSchema: listOutput,
          annotations: READ_ONLY,
        },
        (args) => this.run(() => docs.listDocuments(args)),
      ),
      defineTool(
        'outline',
        {
          title: 'Table of contents of a document',
          description:
            'Returns the headings of one document as section ids with their level and size, so you can fetch exactly the part you need.',
          inputSchema: {
            id: z.string().min(1).max(MAX_ID_CHARS).describe('A document id (a section id also works)'),
          },
          outputSchema: outlineOutput,
          annotations: READ_ONLY,
        },
        (args) => this.run(() => docs.outline(args.id)),
      ),
    ];
  }

  private registerResources(server: McpServer): void {
    const docs = this.docs;
    const low = server.server;
    low.setRequestHandler(ListResourcesRequestSchema, (req) => {
      const offset = req.params?.cursor ? Number.parseInt(req.params.cursor, 10) : 0;
      if (!Number.isFinite(offset) || offset < 0)
        throw new McpError(ErrorCode.InvalidParams, 'Invalid cursor');
      const page = docs.listDocuments({ offset, limit: RESOURCE_PAGE });
      return {
        resources: page.documents.map((d) => ({
          uri: `${RESOURCE_SCHEME}${d.id}`,
          name: d.id,
          title: d.title,
          description: d.url.startsWith(RESOURCE_SCHEME) ? d.path : d.url,
          mimeType: 'text/markdown',
          size: d.chars,
        })),
        ...(page.nextOffset !== null ? { nextCursor: String(page.nextOffset) } : {}),
      };
    });
    low.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({
      resourceTemplates: [
        {
          uriTemplate: `${RESOURCE_SCHEME}{+id}`,
          name: 'document',
          title: 'A document of the corpus by id',
          mimeType: 'text/markdown',
        },
        {
          uriTemplate: `${RESOURCE_SCHEME}{doc}#{section}`,
          name: 'section',
          title: 'A section of a document, with its subsections (the url search returns)',
          mimeType: 'text/markdown',
        },
      ],
    }));
    low.setRequestHandler(ReadResourceRequestSchema, (req) => {
      const uri = req.params.uri;
      if (!uri.startsWith(RESOURCE_SCHEME)) {
        throw new McpError(
          ErrorCode.InvalidParams,
          `Unknown resource "${uri}": URIs start with ${RESOURCE_SCHEME}`,
        );
      }
      let id: string;
      try {
        id = decodeURIComponent(uri.slice(RESOURCE_SCHEME.length));
      } catch {
        throw new McpError(ErrorCode.InvalidParams, 'Malformed resource URI: invalid percent-encoding');
      }
      try {
        return { contents: [{ uri, mimeType: 'text/markdown', text: resourceText(docs.read(id)) }] };
      } catch (e) {
        // -32002 is the spec's "resource not found".
        if (isDomainError(e)) throw new McpError(-32002, e.message, e.details);
        throw e;
      }
    });
  }

  /** Domain errors become tool results a model can act on; anything else is logged and generic. */
  private run(fn: () => object): CallToolResult {
    return this.runWithJson(() => ({ value: fn() }));
  }

  /** run() for a tool whose outcome comes with its JSON (search: written from kept parts). */
  private runWithJson(
    fn: () => {
      value: object;
      json?: string;
      jsonPieces?: Utf8Pieces;
      jsonStringPieces?: Utf8Pieces;
      jsonPiecesBytes?: number;
    },
  ): CallToolResult {
    try {
      const { value, json, jsonPieces, jsonStringPieces, jsonPiecesBytes } = fn();
      const pieces =
        jsonPieces && jsonStringPieces
          ? { text: jsonPieces, textString: jsonStringPieces, bytes: jsonPiecesBytes }
          : undefined;
      return mirroredResult(value as Record<string, unknown>, json, pieces);
    } catch (e) {
      if (isDomainError(e)) return { isError: true, content: [{ type: 'text', text: e.message }] };
      this.logger.error('tool failed', { error: (e as Error).stack ?? String(e) });
      return { isError: true, content: [{ type: 'text', text: 'Internal error while running the tool.' }] };
    }
  }
}

/** How much of a resource read the list of remaining sections may take, beside its first page. */
const REST_NOTE_CHARS = 6_000;

/**
 * A resource's text: the whole section or document when it fits one fetch page, else the first
 * page and a note naming where the rest is, in a form a model can act on at once. The sections are
 * indented by level; when they do not all fit, the outermost are kept (each holds its subsections).
 */
function resourceText(read: ReadOutcome): string {
  const { text, metadata } = read;
  if (metadata.nextOffset === null) return text;
  const top = Math.min(...read.rest.map((s) => s.level));
  const line = (s: RestSection) =>
    `${'  '.repeat(Math.max(0, s.level - top))}- ${RESOURCE_SCHEME}${s.id} — ${s.heading} (${s.chars} chars)`;
  const kept = new Set<RestSection>();
  let used = 0;
  for (const s of [...read.rest].sort((a, b) => a.level - b.level)) {
    const size = line(s).length + 1;
    if (used + size > REST_NOTE_CHARS) break;
    used += size;
    kept.add(s);
  }
  const lines = [
    '',
    '---',
    `[certdocs: characters ${metadata.offset}–${metadata.nextOffset} of ${metadata.totalChars}. ` +
      `Read on with the fetch tool: {"id":${JSON.stringify(read.id)},"offset":${metadata.nextOffset}}` +
      (kept.size > 0 ? ', or read the sections that hold the rest as resources:]' : '.]'),
    ...read.rest.filter((s) => kept.has(s)).map(line),
  ];
  const left = read.rest.length - kept.size;
  if (left > 0) {
    lines.push(
      `- … and ${left} subsections more: the outline tool lists every section of ${JSON.stringify(metadata.document)}`,
    );
  }
  return `${text.endsWith('\n') ? text : `${text}\n`}${lines.join('\n')}\n`;
}
