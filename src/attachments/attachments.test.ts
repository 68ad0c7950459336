import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerInterview } from '../test/answer-interview.js';
import { submitAndApprove } from '../test/approved-acquisition.js';
import { dialects } from '../test/database.js';
import { buildItem, buildProposal } from '../test/factories.js';
import { DemoAnswers } from '../test/fill-values.js';
import { openAcquisition } from '../test/open-acquisition.js';
import { createTestServer, type TestServer } from '../test/server.js';
import { sniffContentType } from './content-type.js';

/** The smallest files of each kind: what counts is their first bytes. */
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.alloc(40, 1),
]);
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(40, 2)]);

/** A multipart/form-data body with one file part. */
function multipart(file: Buffer, fileName: string, contentType = 'application/octet-stream') {
  const boundary = '----intake-test-boundary';
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: ${contentType}\r\n\r\n`,
    ),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload: body, contentType: `multipart/form-data; boundary=${boundary}` };
}

const portProposal = () =>
  buildProposal({
    items: [
      buildItem({ quantity: 1 }),
      {
        id: 'port',
        productSpecification: 'number-port',
        quantity: 1,
        characteristics: { portType: 'full', losingCarrier: 'Northern Telecom Services' },
      },
    ],
  });

describe('sniffContentType', () => {
  it('knows PDF, PNG and JPEG by their first bytes, and nothing else', () => {
    expect(sniffContentType(PDF)).toBe('application/pdf');
    expect(sniffContentType(PNG)).toBe('image/png');
    expect(sniffContentType(JPEG)).toBe('image/jpeg');
    expect(sniffContentType(Buffer.from('GIF89a'))).toBeUndefined();
    expect(sniffContentType(Buffer.from('%PDF'))).toBeUndefined();
    expect(sniffContentType(Buffer.alloc(0))).toBeUndefined();
  });
});

describe.each(dialects)('file answers on %s', (dialect) => {
  let server: TestServer;
  let id: string;
  let portRequest: string;
  let link: Record<string, string>;
  const url = (path: string) => `/api/v1/acquisitions/${id}${path}`;
  const upload = (
    headers: Record<string, string>,
    field: string,
    file: Buffer,
    name = 'file.pdf',
    recordId = portRequest,
  ) => {
    const body = multipart(file, name);
    return server.app.inject({
      method: 'POST',
      url: url(`/records/${recordId}/files/${field}`),
      headers: { ...headers, 'content-type': body.contentType },
      payload: body.payload,
    });
  };

  beforeAll(async () => {
    server = await createTestServer(dialect, undefined, {}, {}, undefined, undefined, {}, {}, 4096);
    id = await openAcquisition(server, portProposal());
    const records = await server.app.inject({
      method: 'GET',
      url: url('/records?entity=portRequest'),
      headers: server.auth('sales'),
    });
    portRequest = records.json<{ items: { id: string }[] }>().items[0]!.id;
    const issued = await server.app.inject({
      method: 'POST',
      url: url('/links'),
      headers: server.auth('sales'),
      payload: { contactName: 'Priya Nair', contactEmail: 'priya.nair@fenwick.example' },
    });
    link = { authorization: `Bearer ${issued.json<{ token: string }>().token}` };
  });
  afterAll(() => server.close());

  it('keeps a staff upload with its hash, sets the field to its id and lets staff download it', async () => {
    const response = await upload(server.auth('sales'), 'loa', PDF, 'LOA signed.pdf');
    expect(response.statusCode, response.body).toBe(201);
    const { attachment } = response.json<{ attachment: Record<string, unknown> }>();
    expect(attachment).toMatchObject({
      recordId: portRequest,
      entity: 'portRequest',
      field: 'loa',
      fileName: 'LOA signed.pdf',
      contentType: 'application/pdf',
      size: PDF.length,
      sha256: createHash('sha256').update(PDF).digest('hex'),
    });
    const record = await server.app.inject({
      method: 'GET',
      url: url(`/records/${portRequest}`),
      headers: server.auth('viewer'),
    });
    expect(record.json<{ values: Record<string, unknown> }>().values.loa).toBe(attachment.id);

    const download = await server.app.inject({
      method: 'GET',
      url: attachment.href as string,
      headers: server.auth('viewer'),
    });
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('application/pdf');
    expect(download.headers['content-disposition']).toContain('LOA signed.pdf');
    expect(download.rawPayload.equals(PDF)).toBe(true);
  });

  it('takes a customer link upload to its own field, which the link cannot download', async () => {
    const response = await upload(link, 'invoice', PNG, 'invoice.png');
    expect(response.statusCode, response.body).toBe(201);
    const { attachment } = response.json<{ attachment: { id: string; href?: string } }>();
    expect(attachment.href).toBeUndefined();
    const download = await server.app.inject({
      method: 'GET',
      url: url(`/attachments/${attachment.id}`),
      headers: link,
    });
    expect(download.statusCode).toBe(403);
    expect(download.json<{ code: string }>().code).toBe('auth.link-forbidden');
    const listed = await server.app.inject({
      method: 'GET',
      url: url('/attachments'),
      headers: link,
    });
    expect(listed.statusCode).toBe(200);
    const items = listed.json<{ id: string; href?: string }[]>();
    expect(items.map((a) => a.id)).toContain(attachment.id);
    expect(items.every((a) => a.href === undefined)).toBe(true);
    const staff = await server.app.inject({
      method: 'GET',
      url: url(`/attachments/${attachment.id}`),
      headers: server.auth('engineer'),
    });
    expect(staff.statusCode).toBe(200);
    expect(staff.rawPayload.equals(PNG)).toBe(true);
  });

  it('refuses a file that is not a PDF, PNG or JPEG whatever its name, and keeps nothing', async () => {
    const before = await server.app.inject({
      method: 'GET',
      url: url('/attachments'),
      headers: server.auth('viewer'),
    });
    const response = await upload(
      server.auth('sales'),
      'loa',
      Buffer.from('MZ not a pdf'),
      'x.pdf',
    );
    expect(response.statusCode).toBe(415);
    expect(response.json<{ code: string }>().code).toBe('attachment.type-refused');
    const after = await server.app.inject({
      method: 'GET',
      url: url('/attachments'),
      headers: server.auth('viewer'),
    });
    expect(after.json<unknown[]>()).toHaveLength(before.json<unknown[]>().length);
    expect(await readdir(join(server.dataDir, 'attachments', 'incoming'))).toEqual([]);
  });

  it('refuses a file over INTAKE_ATTACHMENT_MAX_BYTES with 413, and keeps nothing', async () => {
    const big = Buffer.concat([PDF, Buffer.alloc(5000, 0x20)]);
    const response = await upload(server.auth('sales'), 'loa', big);
    expect(response.statusCode).toBe(413);
    expect(response.json<{ code: string }>().code).toBe('attachment.too-large');
    expect(await readdir(join(server.dataDir, 'attachments', 'incoming'))).toEqual([]);
  });

  it('refuses a field that takes no file, a staff field for a link, and a missing file', async () => {
    const notFile = await upload(server.auth('sales'), 'accountName', PDF);
    expect(notFile.statusCode).toBe(422);
    expect(notFile.json<{ code: string }>().code).toBe('attachment.field-invalid');
    const missing = await server.app.inject({
      method: 'POST',
      url: url(`/records/${portRequest}/files/loa`),
      headers: { ...server.auth('sales'), 'content-type': 'application/json' },
      payload: {},
    });
    expect(missing.statusCode).toBe(400);
    const viewer = await upload(server.auth('viewer'), 'loa', PDF);
    expect(viewer.statusCode).toBe(403);
    const unknownRecord = await upload(link, 'loa', PDF, 'a.pdf', 'no-such-record');
    expect(unknownRecord.statusCode).toBe(404);
  });

  it('lists the files the records name in the handover package', async () => {
    const other = await openAcquisition(server, portProposal());
    const otherUrl = (path: string) => `/api/v1/acquisitions/${other}${path}`;
    const records = await server.app.inject({
      method: 'GET',
      url: otherUrl('/records?entity=portRequest'),
      headers: server.auth('sales'),
    });
    const recordId = records.json<{ items: { id: string }[] }>().items[0]!.id;
    const body = multipart(JPEG, 'loa.jpg');
    const uploaded = await server.app.inject({
      method: 'POST',
      url: otherUrl(`/records/${recordId}/files/loa`),
      headers: { ...server.auth('sales'), 'content-type': body.contentType },
      payload: body.payload,
    });
    expect(uploaded.statusCode, uploaded.body).toBe(201);
    await answerInterview(server, other, server.auth('sales'), new DemoAnswers(['york'], 9000));
    await submitAndApprove(server, other);
    const pkg = await server.app.inject({
      method: 'GET',
      url: otherUrl('/handover/package'),
      headers: server.auth('engineer'),
    });
    expect(pkg.statusCode).toBe(200);
    const { attachments } = pkg.json<{ attachments: Record<string, unknown>[] }>();
    expect(attachments).toEqual([
      expect.objectContaining({
        id: uploaded.json<{ attachment: { id: string } }>().attachment.id,
        entity: 'portRequest',
        field: 'loa',
        fileName: 'loa.jpg',
        contentType: 'image/jpeg',
        sha256: createHash('sha256').update(JPEG).digest('hex'),
      }),
    ]);
  });
});
