// A small fediverse server built on Fedify, for tests/fediverse/test_interop.py: one
// person, "alice", at https://127.0.0.1:PORT, whose moves the test drives through
// /control/… and whose mailbox it reads back.
//
//   node peer.mjs --cert CERT.pem --key KEY.pem --knock rfc9421|draft-cavage-http-signatures-12
//                 [--refuse rfc9421|draft-cavage]
//
// Listens on a free loopback port over TLS and prints one line, "ready https://…", on
// stdout; exits when its stdin closes. Node must trust the test CA (NODE_EXTRA_CA_CERTS) to fetch from the site.
//
// What it records, for the test to assert on (GET /control/log):
// * received: every POST to an inbox here, raw, with the signature format it came in
//   (RFC 9421 when Signature-Input is present, draft-cavage when only Signature is)
//   and the status Fedify answered;
// * handled: the activities Fedify verified and handed to a listener, as Fedify
//   parsed them;
// * served: every other request to this server (the site's fetches of actors and
//   Notes), with its signature format and Fedify's status;
// * sent: every request Fedify made (fetches and deliveries), with its signature
//   format and the status it got.
// Notes are served only to signed requests (authorized fetch), as Mastodon in secure
// mode does, so the site's signed fetches are checked too.

import { readFileSync } from "node:fs";
import { createServer } from "node:https";
import { parseArgs } from "node:util";

import { createFederation, MemoryKvStore } from "@fedify/fedify";
import {
  Accept,
  Activity,
  Create,
  Delete,
  Endpoints,
  Follow,
  Mention,
  Note,
  PUBLIC_COLLECTION,
  Person,
  Tombstone,
  Undo,
  Update,
} from "@fedify/fedify/vocab";

const { values: args } = parseArgs({
  options: {
    cert: { type: "string" },
    key: { type: "string" },
    knock: { type: "string", default: "rfc9421" },
    // "rfc9421" or "draft-cavage": answer inbox POSTs signed so with 401 before Fedify
    // sees them, as a server that knows only the other format does.
    refuse: { type: "string", default: "" },
  },
});

const log = { received: [], handled: [], served: [], sent: [] };
const notes = new Map(); // id number → { content, summary, inReplyTo, to, mention, version }
// RSA 2048 like most servers (Fedify's own helper makes 4096-bit keys, a second
// slower to make at every start).
const keyPairs = [
  await crypto.subtle.generateKey(
    {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: "SHA-256",
    },
    true,
    ["sign", "verify"],
  ),
];
let counter = 0;

function formatOf(headers) {
  if (headers.get("signature-input")) return "rfc9421";
  if (headers.get("signature")) return "draft-cavage";
  return "none";
}

// Every request Fedify makes goes through the global fetch: record it.
const plainFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const request = new Request(input, init);
  const entry = { method: request.method, url: request.url, format: formatOf(request.headers) };
  log.sent.push(entry);
  try {
    const response = await plainFetch(request);
    entry.status = response.status;
    return response;
  } catch (error) {
    entry.error = String(error?.cause ?? error);
    throw error;
  }
};

const server = createServer({
  cert: readFileSync(args.cert),
  key: readFileSync(args.key),
});
await new Promise((done) => server.listen(0, "127.0.0.1", done));
const origin = `https://127.0.0.1:${server.address().port}`;

const federation = createFederation({
  kv: new MemoryKvStore(),
  origin,
  allowPrivateAddress: true, // the site is on loopback too; never outside tests
  firstKnock: args.knock,
});

federation
  .setActorDispatcher("/users/{identifier}", (ctx, identifier) => {
    if (identifier !== "alice") return null;
    return ctx.getActorKeyPairs(identifier).then(
      (keys) =>
        new Person({
          id: ctx.getActorUri(identifier),
          preferredUsername: identifier,
          name: "Alice Liddell",
          url: new URL(`/@${identifier}`, origin),
          inbox: ctx.getInboxUri(identifier),
          endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
          publicKey: keys[0].cryptographicKey,
        }),
    );
  })
  .setKeyPairsDispatcher((_ctx, identifier) => (identifier === "alice" ? keyPairs : []));

function noteFor(ctx, id) {
  const stored = notes.get(id);
  if (stored == null) return null;
  return new Note({
    id: ctx.getObjectUri(Note, { id }),
    attribution: ctx.getActorUri("alice"),
    to: PUBLIC_COLLECTION,
    cc: new URL(stored.to),
    replyTarget: new URL(stored.inReplyTo),
    content: stored.content,
    summary: stored.summary || null,
    sensitive: Boolean(stored.summary),
    tags: [new Mention({ href: new URL(stored.to), name: stored.mention })],
  });
}

federation
  .setObjectDispatcher(Note, "/notes/{id}", (ctx, values) => noteFor(ctx, values.id))
  .authorize(async (ctx) => (await ctx.getSignedKeyOwner()) != null);

async function described(activity) {
  const entry = {
    type: activity.constructor.name,
    id: activity.id?.href,
    actor: activity.actorId?.href,
    objectId: activity.objectId?.href ?? null,
  };
  // An Accept embeds alice's own Follow, which Fedify fetches again from its origin
  // (here) rather than trust the copy; the peer keeps no Follows to serve, so only
  // the id counts for those.
  const object = activity instanceof Accept ? null : await activity.getObject();
  if (object != null) {
    entry.object = {
      type: object.constructor.name,
      id: object.id?.href,
      name: object.name?.toString() ?? null,
      summary: object.summary?.toString() ?? null,
      content: object.content?.toString() ?? null,
      sensitive: object.sensitive ?? null,
      inReplyTo: object.replyTargetId?.href ?? null,
      attributedTo: object.attributionId?.href ?? null,
      actor: object.actorId?.href ?? null,
      object: object.objectId?.href ?? null,
    };
  }
  return entry;
}

federation
  .setInboxListeners("/users/{identifier}/inbox", "/inbox")
  .on(Activity, async (_ctx, activity) => {
    log.handled.push(await described(activity));
  });

// --- what the test asks alice to do -------------------------------------------------

const ctx = () => federation.createContext(new URL(origin));

const follows = new Map(); // Follow id → the followed actor

async function follow({ handle }) {
  const context = ctx();
  const them = await context.lookupObject(handle);
  if (them?.id == null) throw new Error(`cannot find ${handle}`);
  const id = new URL(`/follows/${++counter}`, origin);
  const activity = new Follow({ id, actor: context.getActorUri("alice"), object: them.id });
  await context.sendActivity({ identifier: "alice" }, them, activity);
  follows.set(id.href, them);
  return { actor: them.id.href, follow: id.href };
}

async function unfollow({ follow: id }) {
  const context = ctx();
  const them = follows.get(id);
  if (them == null) throw new Error(`no follow ${id}`);
  const alice = context.getActorUri("alice");
  const activity = new Undo({
    id: new URL(`${id}#undo`),
    actor: alice,
    object: new Follow({ id: new URL(id), actor: alice, object: them.id }),
  });
  await context.sendActivity({ identifier: "alice" }, them, activity);
  follows.delete(id);
  return { follow: id };
}

async function recipient(context, actorId) {
  const them = await context.lookupObject(actorId);
  if (them?.id == null) throw new Error(`cannot fetch ${actorId}`);
  return them;
}

async function reply({ inReplyTo, to, mention, content, summary }) {
  const context = ctx();
  const them = await recipient(context, to);
  const id = String(++counter);
  notes.set(id, { inReplyTo, to, mention, content, summary, version: 0 });
  const note = noteFor(context, id);
  const activity = new Create({
    id: new URL(`#create`, note.id),
    actor: context.getActorUri("alice"),
    object: note,
    to: PUBLIC_COLLECTION,
    cc: them.id,
  });
  await context.sendActivity({ identifier: "alice" }, them, activity);
  return { id: note.id.href };
}

async function edit({ id, content, summary }) {
  const context = ctx();
  const number = new URL(id).pathname.split("/").pop();
  const stored = notes.get(number);
  if (stored == null) throw new Error(`no note ${id}`);
  Object.assign(stored, { content, summary, version: stored.version + 1 });
  const them = await recipient(context, stored.to);
  const note = noteFor(context, number);
  const activity = new Update({
    id: new URL(`#update-${stored.version}`, note.id),
    actor: context.getActorUri("alice"),
    object: note,
    to: PUBLIC_COLLECTION,
    cc: them.id,
  });
  await context.sendActivity({ identifier: "alice" }, them, activity);
  return { id };
}

async function remove({ id }) {
  const context = ctx();
  const number = new URL(id).pathname.split("/").pop();
  const stored = notes.get(number);
  if (stored == null) throw new Error(`no note ${id}`);
  notes.delete(number);
  const them = await recipient(context, stored.to);
  const activity = new Delete({
    id: new URL(`${id}#delete`),
    actor: context.getActorUri("alice"),
    object: new Tombstone({ id: new URL(id) }),
    to: PUBLIC_COLLECTION,
    cc: them.id,
  });
  await context.sendActivity({ identifier: "alice" }, them, activity);
  return { id };
}

const controls = {
  "/control/follow": follow,
  "/control/unfollow": unfollow,
  "/control/reply": reply,
  "/control/edit": edit,
  "/control/delete": remove,
};

function json(res, status, value) {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(value));
}

// --- the HTTP server: Node's request in, Fedify's fetch handler, Node's response out --

server.on("request", async (req, res) => {
  try {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url, origin);
    if (url.pathname === "/control/log") return json(res, 200, log);
    if (req.method === "POST" && url.pathname in controls) {
      try {
        return json(res, 200, await controls[url.pathname](JSON.parse(body.toString())));
      } catch (error) {
        return json(res, 500, { error: String(error?.stack ?? error) });
      }
    }
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      for (const one of [value].flat()) headers.append(name, one);
    }
    const request = new Request(url, {
      method: req.method,
      headers,
      body: ["GET", "HEAD"].includes(req.method) ? undefined : body,
    });
    const refused =
      req.method === "POST" && url.pathname.endsWith("/inbox") && formatOf(headers) === args.refuse;
    const response = refused
      ? new Response("Unsupported signature format", { status: 401 })
      : await federation.fetch(request, {
          contextData: undefined,
          onNotFound: () => new Response("Not found", { status: 404 }),
          onNotAcceptable: () => new Response("Not acceptable", { status: 406 }),
        });
    const entry = { path: url.pathname, format: formatOf(headers), status: response.status };
    if (req.method === "POST" && url.pathname.endsWith("/inbox")) {
      log.received.push({ ...entry, body: body.toString() });
    } else {
      log.served.push({ method: req.method, ...entry });
    }
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  } catch (error) {
    json(res, 500, { error: String(error?.stack ?? error) });
  }
});

// The test holds our stdin open; when it goes (the test ended, or was killed), so do we.
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();

process.stdout.write(`ready ${origin}\n`);
