// The real platform for the SDK's integration tests: a fresh database on the PostgreSQL named by
// MP_TEST_POSTGRES, API nodes as child processes (so a test can SIGKILL one), and a small proxy in
// front of them that can refuse WebSocket upgrades, drop sockets, or point at a restarted node.

import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
export const apiDll = path.resolve(here, "../../../../src/MessagePlatform.Api/bin/Release/net10.0/MessagePlatform.Api.dll");
export const adminKey = "sdk-test-admin-key";

/** Npgsql's `Key=Value;…` string as a map, case-insensitive keys. */
function parse(connection: string): Map<string, string> {
  return new Map(connection.split(";").filter(Boolean).map((part) => {
    const at = part.indexOf("=");
    return [part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).trim()] as [string, string];
  }));
}

/** Creates a database of its own for a test file; returns the Npgsql string for MP_POSTGRES. */
export function freshDatabase(): string {
  const base = process.env.MP_TEST_POSTGRES;
  if (!base) throw new Error("MP_TEST_POSTGRES is not set: start PostgreSQL with infra/postgres.sh and export its url");
  const parts = parse(base);
  const name = `sdk_${randomUUID().replaceAll("-", "").slice(0, 16)}`;
  execFileSync("psql", ["-h", parts.get("host") ?? "127.0.0.1", "-p", parts.get("port") ?? "5432",
    "-U", parts.get("username") ?? parts.get("user id") ?? "postgres", "-d", "postgres", "-c", `create database ${name}`], {
    env: { ...process.env, PGPASSWORD: parts.get("password") ?? "" }, stdio: "pipe",
  });
  return base.split(";").map((part) => (/^\s*database\s*=/i.test(part) ? `Database=${name}` : part)).join(";");
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    }).on("error", reject);
  });
}

export class ApiNode {
  readonly output: string[] = [];
  private constructor(readonly process: ChildProcess, readonly url: string) {}

  /** Starts a node and waits for /health/live. `port` lets a restarted node take its predecessor's place. */
  static async start(postgres: string, port?: number, nodeId = 0): Promise<ApiNode> {
    const listen = port ?? await freePort();
    const url = `http://127.0.0.1:${listen}`;
    const child = spawn("dotnet", [apiDll], {
      cwd: path.dirname(apiDll),
      env: {
        ...process.env, ASPNETCORE_ENVIRONMENT: "Development", ASPNETCORE_URLS: url, MP_POSTGRES: postgres,
        MP_ADMIN_KEY: adminKey, MP_NODE_ID: String(nodeId), Serilog__MinimumLevel__Default: "Warning",
        // The tests count messages, not rates: the per-sender limit and intake shedding would only add 429s.
        Messages__SenderMessagesPerSecond: "0", Intake__Enabled: "false",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const node = new ApiNode(child, url);
    child.stdout!.on("data", (chunk) => node.output.push(String(chunk)));
    child.stderr!.on("data", (chunk) => node.output.push(String(chunk)));
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(200)) {
      if (child.exitCode !== null) throw new Error(`node exited with ${child.exitCode}: ${node.output.slice(-20).join("")}`);
      try {
        if ((await fetch(`${url}/health/live`)).ok) return node;
      } catch {
        // not listening yet
      }
    }
    child.kill("SIGKILL");
    throw new Error("node did not start within 60 s");
  }

  get port(): number { return Number(new URL(this.url).port); }

  /** SIGKILL: no drain, no goodbye, its database sessions dropped by the kernel, as a crash. */
  async kill(): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    const exited = new Promise((resolve) => this.process.once("exit", resolve));
    process.kill(this.process.pid!, "SIGKILL");
    await exited;
  }
}

/** A front door for the nodes: forwards HTTP and WebSocket upgrades to `target`, unless told not to. */
export class Proxy {
  target: string;
  allowUpgrades = true;
  private readonly sockets = new Set<net.Socket>();
  private constructor(private readonly server: http.Server, readonly url: string, target: string) { this.target = target; }

  static async start(target: string): Promise<Proxy> {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const proxy = new Proxy(server, `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, target);
    server.on("request", (req, res) => proxy.forward(req, res));
    server.on("upgrade", (req, socket, head) => proxy.upgrade(req, socket as net.Socket, head));
    return proxy;
  }

  /** Cuts every open WebSocket, as a flaky network or a restarted load balancer would. */
  dropSockets(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  async close(): Promise<void> {
    this.dropSockets();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse): void {
    const target = new URL(this.target);
    const upstream = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => { res.writeHead(answer.statusCode ?? 502, answer.headers); answer.pipe(res); });
    upstream.on("error", () => { if (!res.headersSent) res.writeHead(502); res.end(); });
    req.pipe(upstream);
  }

  private upgrade(req: http.IncomingMessage, client: net.Socket, head: Buffer): void {
    if (!this.allowUpgrades) {
      client.end("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      return;
    }
    const target = new URL(this.target);
    const upstream = net.connect(Number(target.port), target.hostname, () => {
      const headers = Object.entries(req.headers).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(", ") : v}`).join("\r\n");
      upstream.write(`${req.method} ${req.url} HTTP/1.1\r\n${headers}\r\n\r\n`);
      if (head.length) upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    this.sockets.add(client);
    const end = () => { client.destroy(); upstream.destroy(); this.sockets.delete(client); };
    upstream.on("error", end).on("close", end);
    client.on("error", end).on("close", end);
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A tenant with two users in a c2c and a group, made through the REST API as an app team would. */
export async function newTenant(baseUrl: string) {
  const call = async (credential: string, method: string, url: string, body?: unknown) => {
    const response = await fetch(`${baseUrl}${url}`, {
      method, headers: { authorization: `Bearer ${credential}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
    return response.json() as Promise<Record<string, any>>;
  };
  const tenantId = `sdk-${randomUUID().slice(0, 8)}`;
  const tenant = await call(adminKey, "POST", "/v1/tenants", { tenantId, name: "SDK tests", scenario: "enterprise" });
  const appKey = tenant.appKey as string;
  const token = async (userId: string) => (await call(appKey, "POST", `/v1/users/${userId}/tokens`, {})).token as string;
  const c2c = (await call(appKey, "POST", "/v1/sessions", { type: "c2c", members: ["alice", "bob"] })).sessionId as string;
  const group = (await call(appKey, "POST", "/v1/sessions", { type: "group", members: ["alice", "bob", "carol"] })).sessionId as string;
  return { tenantId, appKey, token, c2c, group, call };
}

/** Polls until `done` holds or the time is up; the last check's failure message otherwise. */
export async function eventually(done: () => boolean, what: () => string, withinMs = 30_000): Promise<void> {
  for (const deadline = Date.now() + withinMs; Date.now() < deadline; await sleep(100)) if (done()) return;
  throw new Error(`not within ${withinMs} ms: ${what()}`);
}
