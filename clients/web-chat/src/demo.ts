// The demo tenant's stand-in for a product team's backend (the host's /demo endpoints, Development
// only): it signs a user in, opens a c2c between two users, and says who is online. A real app
// asks its own server for these; everything else goes through the SDK.

export interface SignIn { token: string; userId: string; baseUrl: string }
export interface Presence { userId: string; online: boolean }

async function post<T>(path: string, body: unknown): Promise<T> {
  const response = await fetch(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  if (!response.ok) {
    const problem = await response.json().catch(() => ({})) as { title?: string; errors?: Record<string, string[]> };
    const detail = Object.values(problem.errors ?? {}).flat().join("; ");
    throw new Error(`${problem.title ?? response.statusText}${detail ? `: ${detail}` : ""}`);
  }
  return response.json() as Promise<T>;
}

export const signIn = (userId: string) => post<SignIn>("/demo/token", { userId });
export const openChat = (userId: string, peer: string) => post<{ sessionId: string }>("/demo/sessions", { userId, peer }).then((s) => s.sessionId);
export const presence = (userIds: string[]) => post<{ users: Presence[] }>("/demo/presence", { userIds }).then((p) => p.users);
