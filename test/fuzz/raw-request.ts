import { request } from 'node:http';

/** One request as the fuzz sends it: the path exactly as written, the body as bytes. */
export interface RawRequest {
  method: string;
  /** The request target, sent as is (no normalisation of `..`, no re-encoding). */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export interface RawResponse {
  status: number;
  body: string;
  ms: number;
}

/**
 * Sends a request over real HTTP to 127.0.0.1 and reads the whole answer, or fails when the
 * answer is not complete within `deadlineMs` (a hang). `fetch` is not used: it would resolve
 * `..` segments and re-encode the path.
 */
export function sendRaw(port: number, raw: RawRequest, deadlineMs: number): Promise<RawResponse> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: raw.method,
        path: raw.path,
        headers: {
          ...raw.headers,
          ...(raw.body ? { 'content-length': String(raw.body.length) } : {}),
        },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        const done = () => {
          clearTimeout(timer);
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            ms: performance.now() - started,
          });
        };
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', done);
        // The server answered, then closed the connection while a body it had no use for (a GET
        // with a large body) was still being sent: the answer stands.
        res.on('error', done);
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no complete answer within ${deadlineMs} ms (a hang)`));
    }, deadlineMs);
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end(raw.body);
  });
}

/**
 * Percent-encodes text for a path segment or query value, byte by byte. Unlike
 * `encodeURIComponent` it does not throw on a lone surrogate: it sends the surrogate's three
 * (invalid) UTF-8 bytes, which is what a careless client would send. `keep` leaves characters
 * raw (the fuzz sends `.` and `/` raw to try `..` segments).
 */
export function percentEncode(text: string, keep = /[A-Za-z0-9\-_.~]/): string {
  let out = '';
  for (let i = 0; i < text.length; i += 1) {
    const unit = text.charCodeAt(i);
    const char = text[i]!;
    if (keep.test(char)) {
      out += char;
      continue;
    }
    const isHigh = unit >= 0xd800 && unit <= 0xdbff;
    const next = text.charCodeAt(i + 1);
    if (isHigh && next >= 0xdc00 && next <= 0xdfff) {
      out += bytes(Buffer.from(text.slice(i, i + 2), 'utf8'));
      i += 1;
    } else if (unit >= 0xd800 && unit <= 0xdfff) {
      // A lone surrogate as the three bytes of its (invalid) UTF-8 form.
      out += bytes(
        Buffer.from([0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)]),
      );
    } else {
      out += bytes(Buffer.from(char, 'utf8'));
    }
  }
  return out;
}

const bytes = (buffer: Buffer) =>
  [...buffer].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
