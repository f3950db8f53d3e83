import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsMarkdownDocSource } from '../../src/adapters/filesystem/fs-markdown-doc-source.js';
import { HugoIndexDocSource } from '../../src/adapters/hugo-index/hugo-index-doc-source.js';
import { DocSourceError } from '../../src/domain/errors.js';
import { InMemoryDocSource } from '../fakes/in-memory-doc-source.js';
import { MemoryLogger } from '../fakes/memory-logger.js';
import { type DocFiles, type MadeSource, runDocSourceContract } from './doc-source.contract.js';
import { tempDirEach } from './fresh-each.js';

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'certdocs-docsource-'));
}

async function writeTree(root: string, files: DocFiles): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
}

function hugoIndex(files: DocFiles): string {
  return JSON.stringify(
    Object.entries(files).map(([path, contents]) => ({
      title: path,
      permalink: `https://docs.example.com/${path.replace(/\.md$/, '')}/`,
      contents,
    })),
  );
}

async function expectSourceError(source: { load(): Promise<unknown> }, message: RegExp): Promise<void> {
  const error = await source.load().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DocSourceError);
  expect((error as Error).message).toMatch(message);
}

/** A local HTTP server whose routes a test sets: path → [status, body]. */
const routes = new Map<string, [number, string]>();
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const [status, body] = routes.get(req.url ?? '') ?? [404, 'not found'];
    res.writeHead(status, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const noCleanup = async () => {};
let served = 0;
function serve(status: number, body: string): string {
  const path = `/index-${++served}.json`;
  routes.set(path, [status, body]);
  return `${baseUrl}${path}`;
}

runDocSourceContract(
  'InMemoryDocSource',
  async (files) => ({ source: InMemoryDocSource.of(files), cleanup: noCleanup }),
  async () => ({ source: new InMemoryDocSource([]), cleanup: noCleanup }),
);

runDocSourceContract(
  'FsMarkdownDocSource',
  async (files) => {
    const root = await tempDir();
    await writeTree(root, files);
    return {
      source: new FsMarkdownDocSource(root, new MemoryLogger()),
      cleanup: () => rm(root, { recursive: true, force: true }),
    };
  },
  async () => {
    const root = await tempDir();
    return {
      source: new FsMarkdownDocSource(join(root, 'missing'), new MemoryLogger()),
      cleanup: () => rm(root, { recursive: true, force: true }),
    };
  },
);

runDocSourceContract(
  'HugoIndexDocSource (file)',
  async (files) => {
    const root = await tempDir();
    await writeFile(join(root, 'index.json'), hugoIndex(files));
    return {
      source: new HugoIndexDocSource(join(root, 'index.json')),
      cleanup: () => rm(root, { recursive: true, force: true }),
    };
  },
  async () => ({ source: new HugoIndexDocSource('/nonexistent/certdocs/index.json'), cleanup: noCleanup }),
);

runDocSourceContract(
  'HugoIndexDocSource (URL)',
  async (files): Promise<MadeSource> => ({
    source: new HugoIndexDocSource(serve(200, hugoIndex(files))),
    cleanup: noCleanup,
  }),
  async () => ({ source: new HugoIndexDocSource(serve(500, 'oops')), cleanup: noCleanup }),
);

describe('FsMarkdownDocSource specifics', () => {
  const dir = tempDirEach('certdocs-docsource-');

  it('reports reading progress for every file, unreadable ones included', async () => {
    const root = await dir();
    await writeTree(root, { 'a.md': '# A\n', 'b/c.md': '# C\n', 'd.md': '# D\n' });
    await symlink(join(root, 'missing.md'), join(root, 'dangling.md'));
    const seen: string[] = [];
    const docs = await new FsMarkdownDocSource(root, new MemoryLogger()).load((done, total) =>
      seen.push(`${done}/${total}`),
    );
    expect(docs).toHaveLength(3);
    expect(seen).toEqual(['1/4', '2/4', '3/4', '4/4']);
  });

  it('takes the title from front matter and strips it from the Markdown', async () => {
    const root = await dir();
    await writeTree(root, { 'page.md': '---\ntitle: Front Title\nweight: 3\n---\n# Heading\n\nBody.\n' });
    const [doc] = await new FsMarkdownDocSource(root, new MemoryLogger()).load();
    expect(doc).toMatchObject({ id: 'page', path: 'page.md', title: 'Front Title' });
    expect(doc?.markdown).toBe('# Heading\n\nBody.\n');
  });

  it("gives nested files ids like 'a/b', for .md, .mdx and .markdown", async () => {
    const root = await dir();
    await writeTree(root, {
      'a/b.md': '# B\n',
      'a/c/d.mdx': '# D\n',
      'e.markdown': '# E\n',
      'a/notes.txt': 'not markdown',
    });
    const docs = await new FsMarkdownDocSource(root, new MemoryLogger()).load();
    expect(docs.map((d) => d.id).sort()).toEqual(['a/b', 'a/c/d', 'e']);
    expect(docs.find((d) => d.id === 'a/c/d')?.path).toBe('a/c/d.mdx');
  });

  it('skips dot folders, dot files and node_modules', async () => {
    const root = await dir();
    await writeTree(root, {
      'keep.md': '# Keep\n',
      '.git/notes.md': '# Git\n',
      'sub/.hidden/x.md': '# Hidden\n',
      '.draft.md': '# Draft\n',
      'node_modules/pkg/README.md': '# Pkg\n',
      'sub/node_modules/y.md': '# Y\n',
    });
    const docs = await new FsMarkdownDocSource(root, new MemoryLogger()).load();
    expect(docs.map((d) => d.id)).toEqual(['keep']);
  });

  it('skips a symlink that points outside the docs folder, and says so', async () => {
    const outside = await dir();
    const root = await dir();
    await writeTree(outside, { 'secret.md': '# Secret\n' });
    await writeTree(root, { 'keep.md': '# Keep\n', 'inner/target.md': '# Target\n' });
    await symlink(join(outside, 'secret.md'), join(root, 'leak.md'));
    await symlink(join(root, 'inner', 'target.md'), join(root, 'alias.md'));
    const logger = new MemoryLogger();
    const docs = await new FsMarkdownDocSource(root, logger).load();
    expect(docs.map((d) => d.id).sort()).toEqual(['alias', 'inner/target', 'keep']);
    expect(docs.some((d) => d.markdown.includes('Secret'))).toBe(false);
    expect(logger.has('warn', 'symlink')).toBe(true);
  });

  it('skips a dangling symlink instead of failing the whole load', async () => {
    const root = await dir();
    await writeTree(root, { 'keep.md': '# Keep\n' });
    await symlink(join(root, 'gone.md'), join(root, 'dangling.md'));
    const logger = new MemoryLogger();
    const docs = await new FsMarkdownDocSource(root, logger).load();
    expect(docs.map((d) => d.id)).toEqual(['keep']);
    expect(logger.lines.some((l) => l.level === 'warn')).toBe(true);
  });

  it('rejects a folder without Markdown, and a file given as the folder', async () => {
    const root = await dir();
    await writeTree(root, { 'readme.txt': 'hello' });
    await expectSourceError(new FsMarkdownDocSource(root, new MemoryLogger()), /no \.md or \.mdx files/);
    await expectSourceError(
      new FsMarkdownDocSource(join(root, 'readme.txt'), new MemoryLogger()),
      /not a directory/,
    );
  });
});

describe('HugoIndexDocSource specifics', () => {
  it('uses the permalink as url, its path as id, and the title', async () => {
    const url = serve(
      200,
      JSON.stringify([
        { title: 'Intro', permalink: 'https://docs.example.com/guide/intro/', contents: '# Intro\n' },
      ]),
    );
    const [doc] = await new HugoIndexDocSource(url).load();
    expect(doc).toEqual({
      id: 'guide/intro',
      title: 'Intro',
      url: 'https://docs.example.com/guide/intro/',
      path: 'https://docs.example.com/guide/intro/',
      markdown: '# Intro\n',
    });
  });

  it('rejects malformed JSON', async () => {
    await expectSourceError(new HugoIndexDocSource(serve(200, '[{"title": ')), /not valid JSON/);
  });

  it('rejects JSON that is not an array', async () => {
    await expectSourceError(new HugoIndexDocSource(serve(200, '{"pages": []}')), /expected a JSON array/);
  });

  it('names the entry that has no contents', async () => {
    const body = JSON.stringify([
      { title: 'Fine', permalink: '/fine/', contents: '# Fine\n' },
      { title: 'Broken', permalink: '/broken/' },
    ]);
    await expectSourceError(new HugoIndexDocSource(serve(200, body)), /entry 1: "contents"/);
  });

  it('rejects an HTTP error status, naming it', async () => {
    await expectSourceError(new HugoIndexDocSource(serve(500, 'oops')), /HTTP 500/);
  });

  it('lets go of the body of an HTTP error instead of leaving the response open', async () => {
    // An error page that never ends: only cancelling the body closes the connection.
    let closed!: () => void;
    const connectionClosed = new Promise<void>((resolve) => {
      closed = resolve;
    });
    const endless = createServer((_req, res) => {
      res.on('close', closed);
      res.writeHead(503, { 'content-type': 'text/html' }).write('<html>still busy');
    });
    await new Promise<void>((resolve) => endless.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(endless.address() as AddressInfo).port}/index.json`;
      await expectSourceError(new HugoIndexDocSource(url), /HTTP 503/);
      await expect(
        Promise.race([connectionClosed.then(() => 'closed'), delay(2000).then(() => 'still open')]),
      ).resolves.toBe('closed');
    } finally {
      endless.closeAllConnections();
      await new Promise<void>((resolve) => endless.close(() => resolve()));
    }
  });

  it('rejects a file that cannot be read', async () => {
    await expectSourceError(new HugoIndexDocSource('/nonexistent/certdocs/index.json'), /ENOENT/);
  });
});
