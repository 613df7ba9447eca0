import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface FakeOpenAi {
  url: string;
  state: { transcriptions: number; inFlight: number; maxInFlight: number; rejected429: number; chats: number; chunkSeconds: number[]; chunkBytes: number[] };
  close(): Promise<void>;
}

/**
 * An OpenAI-compatible server on 127.0.0.1: `/v1/audio/transcriptions` answers verbose_json
 * with a segment per 10 s of the uploaded audio (measured with ffprobe) after a fixed latency;
 * `/v1/chat/completions` "translates" numbered segments by prefixing `[es] `.
 */
export async function startFakeOpenAi(opts: { latencyMs?: number; reject429?: number; dropFirstTranslation?: boolean } = {}): Promise<FakeOpenAi> {
  const state = { transcriptions: 0, inFlight: 0, maxInFlight: 0, rejected429: 0, chats: 0, chunkSeconds: [] as number[], chunkBytes: [] as number[] };
  let toReject = opts.reject429 ?? 0;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fake-openai-'));
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => void handle(req, res, Buffer.concat(chunks)));
  });
  const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): Promise<void> {
    if (req.url === '/v1/audio/transcriptions') {
      if (toReject > 0) {
        toReject--;
        state.rejected429++;
        json(res, 429, { error: { message: 'Rate limit reached', type: 'requests' } }, { 'retry-after-ms': '50' });
        return;
      }
      state.inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
      const form = await new Response(new Uint8Array(body), { headers: { 'content-type': req.headers['content-type'] ?? '' } }).formData();
      const file = form.get('file') as File;
      const saved = path.join(dir, `upload-${state.transcriptions++}`);
      const bytes = Buffer.from(await file.arrayBuffer());
      state.chunkBytes.push(bytes.length);
      writeFileSync(saved, bytes);
      const duration = Number(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', saved]).toString());
      state.chunkSeconds.push(duration);
      await new Promise((r) => setTimeout(r, opts.latencyMs ?? 100));
      const segments = [];
      for (let t = 0; t < duration - 0.5; t += 10) segments.push({ id: segments.length, start: t, end: Math.min(t + 9, duration), text: ` tone ${segments.length}` });
      const words = segments.map((s) => ({ word: 'tone', start: s.start, end: s.end }));
      state.inFlight--;
      json(res, 200, { task: 'transcribe', language: 'english', duration, text: segments.map((s) => s.text).join(''), segments, words });
      return;
    }
    if (req.url === '/v1/chat/completions') {
      const request = JSON.parse(body.toString()) as { messages: Array<{ content: string }> };
      const input = JSON.parse(request.messages[1]!.content) as { segments: Array<{ id: number; text: string }> };
      const segments = input.segments.map((s) => ({ id: s.id, text: `[es] ${s.text}` }));
      if (opts.dropFirstTranslation && state.chats === 0) segments.pop();
      state.chats++;
      json(res, 200, {
        id: `chatcmpl-${state.chats}`, object: 'chat.completion', created: Math.floor(Date.now() / 1000), model: 'fake',
        choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: JSON.stringify({ segments }) } }],
      });
      return;
    }
    json(res, 404, { error: { message: `no route ${req.url}` } });
  }

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    state,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
